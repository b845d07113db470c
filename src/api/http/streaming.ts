import { PassThrough } from 'node:stream';
import type { ParameterizedContext } from 'koa';
import { answerTo } from './errorMiddleware.js';
import type { ApiState } from './types.js';

type Ctx = ParameterizedContext<ApiState>;

export const NDJSON = 'application/x-ndjson';

/** Aborts when the client goes away before its answer is complete: long work stops instead of running for nobody. */
export const clientGone = (ctx: Ctx): AbortSignal => {
  const controller = new AbortController();
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) controller.abort();
  });
  return controller.signal;
};

/** The client asked for a stream of JSON lines (Accept: application/x-ndjson) over one JSON answer. */
export const wantsLines = (ctx: Ctx): boolean => ctx.accepts('application/json', NDJSON) === NDJSON;

/**
 * Answers 200 with JSON lines: whatever `work` sends as it goes, then its
 * result. Anything refused must be refused before, with its own status: once
 * the lines have begun, a failure is their last line, in the usual envelope.
 */
export const streamLines = (ctx: Ctx, work: (send: (line: object) => void) => Promise<object>): void => {
  const stream = new PassThrough();
  const send = (line: object) => {
    if (!stream.writableEnded) stream.write(`${JSON.stringify(line)}\n`);
  };
  ctx.status = 200;
  ctx.type = NDJSON;
  // No proxy buffering: each line is meant to arrive when it is written.
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = stream;
  void work(send)
    .then(
      (last) => send(last),
      (err: unknown) => send(answerTo(err, ctx.state.requestId, ctx.state.logger).body),
    )
    // A line that cannot be written (a value JSON cannot hold) ends the answer cut short, never the process.
    .catch((err: unknown) => ctx.state.logger.error('streamed answer failed', { err: err instanceof Error ? err.message : String(err) }))
    .finally(() => stream.end());
};
