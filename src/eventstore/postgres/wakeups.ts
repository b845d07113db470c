import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'winston';

export const EVENTS_CHANNEL = 'billstream_events';

/** Other processes hear of new events at most this much later than this one does. */
const NOTIFY_INTERVAL_MS = 10;

/**
 * Wakes subscribers when events may have been committed.
 *
 * In-process appends wake local subscribers directly. Other processes hear
 * about them through one LISTEN connection. NOTIFY is sent after the append's
 * commit, at most once per NOTIFY_INTERVAL_MS, instead of inside the append
 * transaction: PostgreSQL serialises the commits of notifying transactions on a
 * global lock, and every NOTIFY costs a commit. A lost notification only costs
 * latency: subscribers also poll.
 */
export class Wakeups {
  private readonly emitter = new EventEmitter();
  private wakes = 0;
  private listener: pg.Client | undefined;
  private closed = false;
  private notifyTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string | undefined,
    private readonly logger: Logger | undefined,
  ) {
    this.emitter.setMaxListeners(0);
  }

  async start(): Promise<void> {
    if (!this.connectionString) return;
    await this.connect().catch((err: Error) => {
      this.logger?.warn('LISTEN connection failed; subscribers will poll', { err: err.message });
      this.scheduleReconnect();
    });
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'billstream-listen' });
    client.on('notification', () => this.wake());
    client.on('error', (err) => {
      this.logger?.warn('LISTEN connection lost; reconnecting', { err: err.message });
      void client.end().catch(() => undefined);
      if (this.listener === client) this.listener = undefined;
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`listen ${EVENTS_CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.listener = client;
    // Anything committed while we were not listening is found by the next read.
    this.wake();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed) return;
      this.connect().catch(() => this.scheduleReconnect());
    }, 1_000);
    this.reconnectTimer.unref();
  }

  /**
   * Counts wake-ups. A subscriber reads it before reading a page and passes it
   * to `wait`: a wake-up between the two (an append committing after the page's
   * snapshot) then ends the wait at once instead of being lost.
   */
  get generation(): number {
    return this.wakes;
  }

  private wake(): void {
    this.wakes++;
    this.emitter.emit('wake');
  }

  /** Called after an append committed in this process. */
  appended(): void {
    this.wake();
    if (!this.connectionString || this.notifyTimer || this.closed) return;
    // Each NOTIFY is a transaction of its own with a commit to flush; one per
    // interval serves every append in it.
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      this.pool
        .query(`select pg_notify('${EVENTS_CHANNEL}', '')`)
        .catch((err: Error) => this.logger?.debug('NOTIFY failed', { err: err.message }));
    }, NOTIFY_INTERVAL_MS);
    this.notifyTimer.unref();
  }

  /**
   * Resolves at once if a wake-up came after `sinceGeneration` was read, else on
   * the next wake-up, after `timeoutMs`, on abort, or when closed.
   */
  wait(sinceGeneration: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted || this.wakes !== sinceGeneration) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off('wake', done);
        this.emitter.off('close', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.once('wake', done);
      this.emitter.once('close', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.notifyTimer);
    this.emitter.emit('close');
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }
}
