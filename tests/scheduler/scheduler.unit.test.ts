import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/logger/index.js';
import { Scheduler, type Trigger } from '../../src/scheduler/runtime/scheduler.js';

const logger = createSilentLogger();

describe('Scheduler', () => {
  it('refuses an invalid cron expression, naming the trigger', () => {
    expect(() => new Scheduler({ logger, triggers: [{ name: 'billing-run', schedule: 'every minute', run: async () => {} }] })).toThrow(
      /billing-run: invalid cron expression/,
    );
  });

  it('fires a trigger on its schedule', async () => {
    let fired!: () => void;
    const firstRun = new Promise<void>((resolve) => (fired = resolve));
    const scheduler = new Scheduler({ logger, triggers: [{ name: 'tick', schedule: '* * * * * *', run: async () => fired() }] });
    scheduler.start();
    // A schedule of every second fires within the test's timeout, or the test fails.
    await firstRun;
    await scheduler.stop();
  });

  it('waits on stop for a run in progress, signals it to wrap up, and starts no new run', async () => {
    let release!: () => void;
    let sawAbort = false;
    const trigger: Trigger = {
      name: 'slow',
      schedule: '0 0 1 1 *',
      run: (signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => (sawAbort = true));
          release = resolve;
        }),
    };
    const scheduler = new Scheduler({ logger, triggers: [trigger] });
    const running = scheduler.runOnce(trigger);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await expect.poll(() => sawAbort).toBe(true);
    // The run holds stop() until it is released.
    expect(stopped).toBe(false);
    release();
    await Promise.all([running, stopping]);
    expect(stopped).toBe(true);
    let ranAfterStop = false;
    await scheduler.runOnce({ ...trigger, run: async () => void (ranAfterStop = true) });
    expect(ranAfterStop).toBe(false);
  });

  it('logs a failing run instead of throwing it at the timer', async () => {
    const trigger: Trigger = { name: 'broken', schedule: '0 0 1 1 *', run: async () => Promise.reject(new Error('boom')) };
    const scheduler = new Scheduler({ logger, triggers: [trigger] });
    await expect(scheduler.runOnce(trigger)).resolves.toBeUndefined();
    await scheduler.stop();
  });
});
