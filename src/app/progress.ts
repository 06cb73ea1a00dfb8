/**
 * Progress of long work on stderr: a bar on a terminal (cli-progress), plain lines otherwise (CI, logs).
 * Results never go here; they go to stdout.
 */
import type CliProgress from 'cli-progress';

export interface ProgressTask {
  tick(n?: number): void;
  done(note?: string): void;
}

export interface Progress {
  /** A step with a known number of items. */
  task(label: string, total: number): ProgressTask;
  /** One line of news. */
  note(message: string): void;
}

/** `bars: false` (CI is set: the composition root's settings) keeps a terminal to plain lines too. */
export function createProgress(
  options: { enabled?: boolean; stream?: NodeJS.WriteStream; bars?: boolean } = {},
): Progress {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? true;
  if (!enabled) {
    return { task: () => ({ tick() {}, done() {} }), note() {} };
  }
  const tty = !!stream.isTTY && options.bars !== false;
  return {
    note(message) {
      stream.write(`${message}\n`);
    },
    task(label, total) {
      if (tty) {
        // Loaded only for a bar on a terminal: plain lines (pipes, CI, the bot) never pay its start-up.
        const cliProgress = require('cli-progress') as typeof CliProgress;
        const bar = new cliProgress.SingleBar(
          { format: `${label} [{bar}] {value}/{total}`, stream, hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
        return {
          tick: (n = 1) => bar.increment(n),
          done: (note) => {
            bar.update(total);
            bar.stop();
            if (note) stream.write(`${label}: ${note}\n`);
          },
        };
      }
      let count = 0;
      let lastPct = -1;
      stream.write(`${label}: 0/${total}\n`);
      return {
        tick(n = 1) {
          count += n;
          const pct = total ? Math.floor((count / total) * 4) : 4;
          if (pct > lastPct && count < total) {
            lastPct = pct;
            if (pct > 0) stream.write(`${label}: ${count}/${total}\n`);
          }
        },
        done(note) {
          stream.write(`${label}: ${total}/${total}${note ? ` (${note})` : ''}\n`);
        },
      };
    },
  };
}
