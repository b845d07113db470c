import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/logger.js';
import { Scheduler, type Trigger } from '../../src/scheduler/scheduler.js';

const logger = createSilentLogger();

describe('Scheduler', () => {
  it('refuses an invalid cron expression, naming the trigger', () => {
    expect(() => new Scheduler({ logger, triggers: [{ name: 'billing-run', schedule: 'every minute', run: async () => {} }] })).toThrow(
      /billing-run: invalid cron expression/,
    );
  });

  it('fires a trigger on its schedule', async () => {
    let runs = 0;
    const scheduler = new Scheduler({ logger, triggers: [{ name: 'tick', schedule: '* * * * * *', run: async () => void runs++ }] });
    scheduler.start();
    const deadline = Date.now() + 5_000;
    while (runs === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await scheduler.stop();
    expect(runs).toBeGreaterThan(0);
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
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    expect(sawAbort).toBe(true);
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
