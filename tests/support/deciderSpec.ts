import { expect } from 'vitest';
import { AppError, type Command, type Decider, type Event } from '../../src/domain/shared/index.js';

type ErrorClass = abstract new (...args: never[]) => AppError;

/** The error a `then` expects: its class and, when given, its reason. */
export type ExpectedError = Readonly<{ error: ErrorClass; reason?: string }>;

/**
 * given(events).when(command).then(events | { error, reason }):
 * the decider is folded over `given` and asked to decide `command`.
 */
export const deciderSpec = <State, C extends Command, E extends Event>(decider: Decider<State, C, E>) => ({
  given: (events: readonly E[]) => ({
    when: (command: C) => ({
      then: (expected: readonly E[] | ExpectedError): void => {
        const state = events.reduce(decider.evolve, decider.initialState());
        if (Array.isArray(expected)) {
          expect(decider.decide(command, state)).toEqual(expected);
          return;
        }
        const { error, reason } = expected as ExpectedError;
        let thrown: unknown;
        try {
          decider.decide(command, state);
        } catch (err) {
          thrown = err;
        }
        expect(thrown, 'decide should have thrown').toBeInstanceOf(error);
        if (reason !== undefined) expect((thrown as AppError).reason).toBe(reason);
      },
    }),
  }),
});
