import type { Command } from 'commander';
import { formatPosition } from '../../eventstore/index.js';
import { print, type Open } from '../shared/index.js';


/** `billstream stream show`: a stream's events with their metadata, for auditors at the terminal. */
export const registerStreamCommands = (program: Command, withInfrastructure: Open): void => {
  program
    .command('stream')
    .description('read the event log')
    .command('show')
    .argument('<streamName>', 'for example user-usr_0193…')
    .description('print every event of a stream with its metadata, oldest first')
    .action((streamName: string) =>
      withInfrastructure(async ({ store }) => {
        for (const e of await store.readStream(streamName, { maxCount: 1_000_000 })) {
          print(
            JSON.stringify({
              revision: e.revision.toString(),
              position: formatPosition(e.position),
              type: e.type,
              recordedAt: e.recordedAt.toISOString(),
              data: e.data,
              metadata: e.metadata,
            }),
          );
        }
      }),
    );
};
