/**
 * Runs the installed binary (`node bin/arxiv-digest.js …`) as a user does: a real process, its output captured.
 * `preload` is a CommonJS file given to `node -r`; what the process writes on file descriptor 3 comes back as
 * `fd3` (test/helpers/loaded-modules.js reports the packages it loaded there, bench/cpu-probe.js its CPU time).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve(__dirname, '../../bin/arxiv-digest.js');

export interface BinRun {
  code: number | null;
  stdout: string;
  stderr: string;
  fd3: string;
  /** From spawn to exit, in seconds. */
  wallSeconds: number;
}

export function spawnBin(
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd: string; preload?: string },
): Promise<BinRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...(opts.preload ? ['-r', opts.preload] : []), BIN, ...args], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let fd3 = '';
    child.stdout?.on('data', (c) => (stdout += c));
    child.stderr?.on('data', (c) => (stderr += c));
    child.stdio[3]?.on('data', (c) => (fd3 += c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout, stderr, fd3, wallSeconds: (performance.now() - started) / 1000 }),
    );
  });
}
