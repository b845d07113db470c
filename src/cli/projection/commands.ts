import type { Command } from 'commander';
import { formatPosition } from '../../eventstore/index.js';
import { listCheckpoints, ProjectionRunner, type Projection } from '../../projections/runtime/index.js';
import { print, type Open } from '../shared/index.js';


/** `billstream projections status|rebuild`: the read models the composition root lists (`allProjections`). */
export const registerProjectionCommands = (program: Command, withInfrastructure: Open, allProjections: () => readonly Projection[]): void => {
  const projections = program.command('projections').description('inspect and rebuild read models');

  projections
    .command('status')
    .description('checkpoint, events applied and distance from the head, per projection')
    .action(() =>
      withInfrastructure(async ({ db, store }) => {
        const head = await store.headPosition();
        const checkpoints = new Map((await listCheckpoints(db)).map((c) => [c.name, c]));
        print(`head position: ${head ? formatPosition(head) : '(no events)'}`);
        for (const { name } of allProjections()) {
          const c = checkpoints.get(name);
          const position = c?.position ? formatPosition(c.position) : '(start)';
          print(`${name}\tposition ${position}\tevents applied ${c?.eventsApplied ?? 0n}\tupdated ${c?.updatedAt.toISOString() ?? '-'}`);
        }
      }),
    );

  projections
    .command('rebuild')
    .argument('<name>', 'projection to rebuild')
    .description('empty a read model and replay it from position 0, until it reaches the current head')
    .action((name: string) =>
      withInfrastructure(async ({ db, store, logger }) => {
        const projection = allProjections().find((p) => p.name === name);
        if (!projection) {
          throw new Error(`no projection named ${name}; known: ${allProjections().map((p) => p.name).join(', ')}`);
        }
        const runner = new ProjectionRunner({ db, store, logger, projections: [projection] });
        const head = await store.headPosition();
        await runner.rebuild(name);
        runner.start();
        if (head) await runner.waitFor([name], head, 24 * 3_600_000);
        await runner.stop();
        const [status] = await runner.status();
        print(`rebuilt ${name} up to ${status?.position ?? '(no events)'}`);
      }),
    );
};
