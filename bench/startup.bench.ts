/**
 * Start-up of the `arxiv-digest` command, the whole process as a user starts it (`node bin/arxiv-digest.js …`):
 * `--help`, and `critique <id>` of a paper whose critique is already in the store (no network but the local
 * store; arXiv and the LLM are local fakes that a cached critique must not need). Each runs from the TypeScript
 * sources through tsx (ARXIV_DIGEST_FROM_SOURCE=1: the fallback a checkout with edited sources takes) and from
 * the build in dist/ (built first when missing or stale). CPU is user + system of the process (reported by a
 * preload, bench/cpu-probe.js), wall from spawn to exit; min and median of STARTUP_RUNS runs (default 7) after
 * one warm-up. Target: well under 0.5 s of CPU from dist/.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSeedArxiv } from '../test/fakes/arxiv-server';
import { startOpenAiServer } from '../test/fakes/openai-server';
import { spawnBin } from '../test/helpers/spawn-bin';

// bin/ is plain CommonJS (it runs before any TypeScript hook): its launcher decides dist/ or the sources.
const buildInfo: { chooseRuntime(): { runtime: 'dist' | 'source'; reason: string } } = require('../bin/build-info');

const ROOT = path.resolve(__dirname, '..');
const PROBE = path.join(__dirname, 'cpu-probe.js');
const PAPER = '2510.26352';

interface Sample {
  cpu: number;
  wall: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

async function runOnce(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Sample> {
  const r = await spawnBin(args, { env, cwd, preload: PROBE });
  let usage: { userUs: number; systemUs: number };
  try {
    usage = JSON.parse(r.fd3);
  } catch {
    throw new Error(`no CPU figure from ${args.join(' ')} (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`);
  }
  return { ...r, cpu: (usage.userUs + usage.systemUs) / 1e6, wall: r.wallSeconds };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export async function run(): Promise<Record<string, number | string>> {
  const runs = Math.max(1, Number(process.env.STARTUP_RUNS) || 7);
  if (buildInfo.chooseRuntime().runtime !== 'dist') {
    process.stderr.write('bench startup: building dist/ first (npm run build)\n');
    const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arxiv-digest-startup-'));
  const arxiv = await startSeedArxiv();
  const ai = await startOpenAiServer();
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      OPENAI_API_KEY: 'sk-bench-0123456789',
      OPENAI_BASE_URL: ai.url,
      ARXIV_RSS_URL: arxiv.rssUrl,
      ARXIV_API_URL: arxiv.apiUrl,
      ARXIV_WEB_URL: arxiv.webUrl,
      STORE_URL: `sqlite://${path.join(dir, 'store.sqlite')}`,
      LOG_LEVEL: 'warn',
    };
    const fromSource = { ...env, ARXIV_DIGEST_FROM_SOURCE: '1' };
    // The critique is written once (one LLM call); every measured run answers it from the store.
    const primed = await runOnce(['critique', PAPER, '--format', 'json'], env, dir);
    if (primed.code !== 0) throw new Error(`critique ${PAPER} failed: ${primed.stderr.trim()}`);
    const calls = ai.completions();

    const cases: Array<{ name: string; args: string[]; env: NodeJS.ProcessEnv }> = [
      { name: '--help, tsx', args: ['--help'], env: fromSource },
      { name: '--help, dist', args: ['--help'], env },
      { name: 'cached critique, tsx', args: ['critique', PAPER, '--format', 'json'], env: fromSource },
      { name: 'cached critique, dist', args: ['critique', PAPER, '--format', 'json'], env },
    ];
    const figures: Record<string, number | string> = { runs };
    const medians: Record<string, number> = {};
    for (const c of cases) {
      const samples: Sample[] = [];
      for (let i = 0; i <= runs; i++) {
        const s = await runOnce(c.args, c.env, dir);
        if (s.code !== 0) throw new Error(`${c.name}: exit ${s.code}: ${s.stderr.trim().slice(0, 300)}`);
        if (c.args[0] === 'critique' && !(JSON.parse(s.stdout) as { cached: boolean }).cached) {
          throw new Error(`${c.name}: the critique was not answered from the store`);
        }
        if (i > 0) samples.push(s); // the first is the warm-up (disk cache, tsx's compile cache)
      }
      const cpu = samples.map((s) => s.cpu);
      const wall = samples.map((s) => s.wall);
      medians[c.name] = median(cpu);
      figures[`${c.name}: cpu s min / median`] = `${Math.min(...cpu).toFixed(3)} / ${median(cpu).toFixed(3)}`;
      figures[`${c.name}: wall s min / median`] = `${Math.min(...wall).toFixed(3)} / ${median(wall).toFixed(3)}`;
    }
    figures['--help: median cpu, tsx / dist'] = medians['--help, tsx']! / medians['--help, dist']!;
    figures['cached critique: median cpu, tsx / dist'] =
      medians['cached critique, tsx']! / medians['cached critique, dist']!;
    figures['LLM calls during the measured runs'] = ai.completions() - calls;
    return figures;
  } finally {
    await Promise.all([arxiv.close(), ai.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
