/**
 * The image's and the compose file's promises (docs/operating.md), checked on their text since no Docker engine runs
 * in the tests: the current LTS on the official slim base pinned by digest, an init process as PID 1, no compiler
 * and no dev dependencies in the runtime stage, /data in every path hint, and a bot service that scales.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { exampleSqliteUrl } from '../../src/store/faults';
import { buildPdf } from '../fakes/arxiv-server';

const root = path.resolve(__dirname, '../..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = instructions
  .join('\n')
  .split(/^FROM /m)
  .slice(1);
const runtime = stages.at(-1) ?? '';
const compose = parse(readFileSync(path.join(root, 'docker-compose.yaml'), 'utf8')) as {
  services: Record<string, { ports?: string[]; expose?: string[]; init?: boolean; stop_grace_period?: string }>;
};
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };

test('both stages are the current Node LTS on the official slim base, pinned by digest', () => {
  const arg = /^ARG NODE_IMAGE=(\S+)$/m.exec(instructions.join('\n'))?.[1] ?? '';
  expect(arg).toMatch(/^node:26-slim@sha256:[0-9a-f]{64}$/);
  expect(stages).toHaveLength(2);
  for (const stage of stages) expect(stage.startsWith(`\${NODE_IMAGE}`)).toBe(true);
  expect(Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1])).toBeLessThanOrEqual(26);
});

test('PID 1 is an init process (tini) that runs the CLI', () => {
  expect(runtime).toMatch(/apt-get install -y --no-install-recommends tini/);
  expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "bin\/arxiv-digest\.js"\]$/m);
});

test('the runtime stage carries no compiler, no dev dependencies and no sources to compile', () => {
  expect(dockerfile).not.toMatch(/g\+\+|build-essential|python3|node-gyp/);
  expect(stages[0]).toMatch(/npm prune --omit=dev/);
  expect(runtime).toMatch(/^COPY --from=build \/app\/node_modules/m);
  expect(runtime).not.toMatch(/^COPY (src|adapters|test|bench) /m);
  expect(runtime).toMatch(/^USER node$/m);
});

test('/data is the store and the hint inside the image', () => {
  expect(runtime).toMatch(/ARXIV_DIGEST_DATA_DIR=\/data/);
  expect(runtime).toMatch(/STORE_URL=sqlite:\/\/\/data\/arxiv-digest\.sqlite/);
  expect(exampleSqliteUrl('/data')).toBe('sqlite:///data/arxiv-digest.sqlite');
  expect(exampleSqliteUrl(undefined)).toBe('sqlite://data/arxiv-digest.sqlite');
});

test('compose: the bot scales (no fixed host port on it), one published port in front, stop within 10 s', () => {
  const { bot, http } = compose.services;
  expect(bot?.ports ?? []).toEqual([]);
  expect(bot?.expose).toEqual(['3000']);
  expect(bot?.stop_grace_period).toBe('10s');
  expect(http?.ports).toEqual(['3000:3000']);
  const published = Object.entries(compose.services).filter(([, s]) => (s.ports ?? []).length > 0);
  expect(published.map(([name]) => name)).toEqual(['http']);
});

test('the PDF fallback reads text without pdfjs-dist (the image drops it: pdf-parse bundles its own pdf.js)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pdf-'));
  const file = path.join(dir, 'a.pdf');
  writeFileSync(file, buildPdf(['Text from a PDF without pdfjs-dist']));
  const script = `
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (/^pdfjs-dist/.test(request)) throw Object.assign(new Error('pdfjs-dist is not installed'), { code: 'MODULE_NOT_FOUND' });
      return resolve.call(this, request, ...rest);
    };
    const { PDFParse } = require(${JSON.stringify(require.resolve('pdf-parse'))});
    const parser = new PDFParse({ data: new Uint8Array(require('node:fs').readFileSync(${JSON.stringify(file)})) });
    parser.getText().then((r) => { process.stdout.write(r.text); return parser.destroy(); });`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(run.stderr).toBe('');
  expect(run.stdout).toContain('Text from a PDF without pdfjs-dist');
});
