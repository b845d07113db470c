import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'winston';
import type { DueWhen } from './dueRows.js';

/** A time-based trigger: a thin job that reads a read model and sends commands. */
export type Trigger = Readonly<{
  name: string;
  /** node-cron expression, evaluated in UTC. */
  schedule: string;
  run: (signal: AbortSignal) => Promise<void>;
  /** When it has work: a test clock runs it only then, and stops at its instants. Without it, it runs at every stop. */
  dueWhen?: DueWhen;
}>;

export type SchedulerOptions = Readonly<{ logger: Logger; triggers: readonly Trigger[] }>;

/**
 * Runs triggers on their schedules. A trigger never overlaps itself; stop()
 * stops new runs and waits for the ones in progress.
 */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly options: SchedulerOptions) {
    for (const trigger of options.triggers) {
      if (!cron.validate(trigger.schedule)) {
        throw new Error(`trigger ${trigger.name}: invalid cron expression "${trigger.schedule}"`);
      }
    }
  }

  start(): void {
    for (const trigger of this.options.triggers) {
      const task = cron.createTask(trigger.schedule, () => this.runOnce(trigger), {
        name: trigger.name,
        timezone: 'UTC',
        noOverlap: true,
      });
      task.start();
      this.tasks.push(task);
    }
    this.options.logger.info('scheduler started', { triggers: this.options.triggers.map((t) => t.name) });
  }

  /** Runs a trigger now, as its schedule would. */
  async runOnce(trigger: Trigger): Promise<void> {
    if (this.abort.signal.aborted) return;
    const run = trigger.run(this.abort.signal).catch((err: unknown) => {
      this.options.logger.error('trigger failed', {
        trigger: trigger.name,
        err: err instanceof Error ? err.message : String(err),
      });
    });
    this.inFlight.add(run);
    try {
      await run;
    } finally {
      this.inFlight.delete(run);
    }
  }

  async stop(): Promise<void> {
    for (const task of this.tasks) await task.stop();
    this.abort.abort();
    await Promise.all(this.inFlight);
  }
}
