/** Runs the CLI in-process with captured stdout/stderr and an injected environment. */
import { type CliIo, main } from '../../src/cli/main';
import type { Clock } from '../../src/context';
import { silentLogger } from '../../src/app/log';

/** The arXiv client's spacing waits return at once: tests never sleep. */
export const instantClock: Clock = { now: () => Date.now(), sleep: async () => {} };

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  opts: Partial<CliIo> & { env?: NodeJS.ProcessEnv; cwd: string },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    log: silentLogger,
    ...opts,
    env: { NODE_ENV: 'test', ...opts.env },
  });
  return { code, stdout, stderr };
}
