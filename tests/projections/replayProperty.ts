import { expect } from 'vitest';
import type { RecordedEvent } from '../../src/eventstore/index.js';

export type ReplayTarget = Readonly<{
  history: readonly RecordedEvent[];
  apply: (events: readonly RecordedEvent[]) => Promise<unknown>;
  reset: () => Promise<unknown>;
  snapshot: () => Promise<unknown>;
}>;

/**
 * SPEC §7: replaying any prefix twice changes nothing. Every prefix is
 * replayed over the whole history (a rebuild racing a live runner replays
 * earlier events over later rows: the revision guard keeps them), and over
 * itself, a shorter prefix included, before the rest is applied.
 */
export const expectPrefixReplaysChangeNothing = async ({ history, apply, reset, snapshot }: ReplayTarget): Promise<void> => {
  await reset();
  await apply(history);
  const full = await snapshot();
  for (let k = 0; k <= history.length; k++) {
    await apply(history.slice(0, k));
    expect(await snapshot(), `prefix of ${k} events replayed over the whole history`).toEqual(full);
  }
  for (let k = 0; k <= history.length; k++) {
    await reset();
    await apply(history.slice(0, k));
    const prefix = await snapshot();
    await apply(history.slice(0, k));
    await apply(history.slice(0, Math.floor(k / 2)));
    expect(await snapshot(), `prefix of ${k} events replayed twice`).toEqual(prefix);
    await apply(history.slice(k));
    expect(await snapshot(), `prefix of ${k} events, then the rest`).toEqual(full);
  }
};
