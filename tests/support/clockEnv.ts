/**
 * The variables that move a process's clock (libfaketime's, as `faketime`
 * sets them), for child processes started with an environment of their own:
 * a child on another clock than its test would bill another month. Empty
 * when the suite runs on the real clock.
 */
export const clockEnv = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && /^(LD_PRELOAD|FAKETIME\w*|DONT_FAKE_MONOTONIC)$/.test(entry[0])),
  );
