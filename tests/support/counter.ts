import { ConflictError, ValidationError, type Command, type Decider, type Event } from '../../src/domain/shared/index.js';

/** A tiny aggregate for exercising the command pipeline; not part of the product. */
export type CounterCommand =
  | Command<'OpenCounter', { counterId: string; now: string }>
  | Command<'Increment', { by: number; now: string }>
  | Command<'CloseCounter', { now: string }>;

export type CounterEvent =
  | Event<'CounterOpened', { counterId: string; openedAt: string }>
  | Event<'Incremented', { by: number }>
  | Event<'CounterClosed', { closedAt: string }>;

export type CounterState =
  | Readonly<{ status: 'none' }>
  | Readonly<{ status: 'open'; value: number }>
  | Readonly<{ status: 'closed'; value: number }>;

const decide = (command: CounterCommand, state: CounterState): CounterEvent[] => {
  switch (command.type) {
    case 'OpenCounter':
      if (state.status !== 'none') throw new ConflictError('counter.already_open', 'counter exists');
      return [{ type: 'CounterOpened', data: { counterId: command.data.counterId, openedAt: command.data.now } }];
    case 'Increment':
      if (state.status !== 'open') throw new ConflictError('counter.not_open', `counter is ${state.status}`);
      if (!Number.isSafeInteger(command.data.by) || command.data.by <= 0) {
        throw new ValidationError('counter.invalid_increment', 'by must be a positive integer');
      }
      return [{ type: 'Incremented', data: { by: command.data.by } }];
    case 'CloseCounter':
      if (state.status === 'closed') return [];
      if (state.status === 'none') throw new ConflictError('counter.not_open', 'counter does not exist');
      return [{ type: 'CounterClosed', data: { closedAt: command.data.now } }];
  }
  const _exhaustive: never = command;
  return _exhaustive;
};

const evolve = (state: CounterState, event: CounterEvent): CounterState => {
  switch (event.type) {
    case 'CounterOpened':
      return { status: 'open', value: 0 };
    case 'Incremented':
      return state.status === 'open' ? { ...state, value: state.value + event.data.by } : state;
    case 'CounterClosed':
      return state.status === 'open' ? { status: 'closed', value: state.value } : state;
  }
};

export const counterDecider: Decider<CounterState, CounterCommand, CounterEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
};
