/**
 * What a command loads: `--help` and a cached `critique` start without the heavy modules (the chat platforms'
 * SDKs, the openai SDK, the NLP model, pdf-parse, the Redis/PostgreSQL drivers, the progress bar), whichever of
 * dist/ or the sources the binary runs; and the build in dist/ runs without tsx, its prompts found at the package
 * root. Start-up times are measured by `npm run bench` (bench/startup.bench.ts), never here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { type BinRun, spawnBin } from '../helpers/spawn-bin';
import { standInEnv } from '../helpers/stand-ins';

const ROOT = path.resolve(__dirname, '../..');
const PROBE = path.join(ROOT, 'test/helpers/loaded-modules.js');
const buildInfo: { chooseRuntime(): { runtime: string; reason: string } } = require('../../bin/build-info');

const HEAVY = [
  '@slack/bolt',
  '@slack/web-api',
  '@discordjs/rest',
  'discord.js',
  'openai',
  'wink-porter2-stemmer',
  'pdf-parse',
  '@keyv/redis',
  '@keyv/postgres',
  'cli-progress',
];

interface Run extends BinRun {
  packages: string[];
  files: string[];
}

async function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  const r = await spawnBin(args, { env: { PATH: process.env.PATH, ...env }, cwd, preload: PROBE });
  const { packages = [], files = [] } = r.fd3 ? JSON.parse(r.fd3) : {};
  return { ...r, packages, files };
}

describe('start-up: what a command loads', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    arxiv = await startSeedArxiv();
    openai = await startOpenAiServer();
    cwd = mkdtempSync(path.join(tmpdir(), 'startup-'));
    env = {
      ...standInEnv({ arxiv, openai }),
      STORE_URL: `sqlite://${path.join(cwd, 'store.sqlite')}`,
    };
  });
  afterAll(async () => {
    await Promise.all([arxiv.close(), openai.close()]);
  });

  it('--help loads none of the heavy modules', async () => {
    const r = await run(['--help'], env, cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^arxiv-digest — /);
    expect(r.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('a critique already in the store loads none of them either (and makes no LLM call)', async () => {
    const first = await run(['critique', '2510.26352', '--format', 'json'], env, cwd);
    expect(first.code).toBe(0);
    expect(first.packages).toContain('openai'); // the first asks the LLM: the SDK is loaded when a call is made
    const calls = openai.completions();
    const cached = await run(['critique', '2510.26352', '--format', 'json'], env, cwd);
    expect(cached.code).toBe(0);
    expect(JSON.parse(cached.stdout)).toMatchObject({ id: '2510.26352', cached: true });
    expect(openai.completions()).toBe(calls);
    expect(cached.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  const fresh = buildInfo.chooseRuntime();
  if (fresh.runtime !== 'dist') {
    console.warn(`SKIPPED: the dist/ tests need a build matching the sources (${fresh.reason}): run npm run build`);
  }
  (fresh.runtime === 'dist' ? it : it.skip)(
    'the build in dist/ runs without tsx, and finds the prompts at the package root',
    async () => {
      const r = await run(['critique', '2510.26143', '--format', 'json'], env, cwd);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ id: '2510.26143', cached: false });
      expect(r.packages).not.toContain('tsx');
      expect(r.files).toContain(path.join(ROOT, 'dist/src/cli/main.js'));
      expect(r.files.some((f) => f.startsWith(path.join(ROOT, 'src')))).toBe(false);
    },
  );
});
