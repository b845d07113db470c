/** Where a simulation is: the fraction of the window the clock has crossed, and what it has billed so far. */
export type Progress = Readonly<{ fraction: number; now: string; invoices: number; actions: number }>;

export type ProgressReporter = Readonly<{ update: (p: Progress) => void; done: () => void }>;

const WIDTH = 30;

const line = (p: Progress) => {
  const pct = Math.floor(p.fraction * 100);
  const filled = Math.round(p.fraction * WIDTH);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}`;
  return `[${bar}] ${String(pct).padStart(3)}%  ${p.now.slice(0, 10)}  ${p.invoices.toLocaleString('en-US')} invoices, ${p.actions.toLocaleString('en-US')} actions`;
};

/**
 * A progress bar on a stream (stderr): redrawn in place with \r on a
 * terminal; otherwise (a log file, CI) one line each time another tenth is crossed.
 */
export const progressBar = (stream: NodeJS.WriteStream): ProgressReporter => {
  let lastTenth = -1;
  let drawn = false;
  return {
    update: (p) => {
      if (stream.isTTY) {
        stream.write(`\r${line(p)}`);
        drawn = true;
        return;
      }
      const tenth = Math.floor(p.fraction * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${line(p)}\n`);
      }
    },
    done: () => {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
};

export const silentProgress: ProgressReporter = { update: () => undefined, done: () => undefined };
