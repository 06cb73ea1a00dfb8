/**
 * bin/build-info.js: which code the binary runs. dist/ only when it was built from exactly these sources (a hash
 * of their bytes, whatever the files' mtimes), or when there are no sources (the Docker image); else the sources
 * through tsx. scripts/build.js skips without sources (the image's dependency layer).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface BuildInfo {
  sourceFiles(root: string): string[];
  sourceHash(root: string): string;
  chooseRuntime(root: string, env: NodeJS.ProcessEnv): { runtime: 'dist' | 'source'; reason: string };
}
const info: BuildInfo = require('../../bin/build-info');

function tree(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'build-info-'));
  mkdirSync(path.join(root, 'src/cli'), { recursive: true });
  mkdirSync(path.join(root, 'adapters/slack'), { recursive: true });
  writeFileSync(path.join(root, 'src/cli/main.ts'), 'export const a = 1;\n');
  writeFileSync(path.join(root, 'src/cli/main.test.ts'), 'test\n');
  writeFileSync(path.join(root, 'adapters/slack/index.ts'), 'export const b = 2;\n');
  writeFileSync(path.join(root, 'tsconfig.json'), '{}\n');
  return root;
}

function stamp(root: string, hash: string): void {
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  writeFileSync(path.join(root, 'dist/build-info.json'), JSON.stringify({ sourceHash: hash }));
}

describe('which code bin/arxiv-digest.js runs', () => {
  it('hashes the compiled sources only (tests left out)', () => {
    const root = tree();
    expect(info.sourceFiles(root)).toEqual(['adapters/slack/index.ts', 'src/cli/main.ts']);
    const before = info.sourceHash(root);
    writeFileSync(path.join(root, 'src/cli/main.test.ts'), 'another test\n');
    expect(info.sourceHash(root)).toBe(before);
  });

  it('the sources when there is no build', () => {
    expect(info.chooseRuntime(tree(), {})).toEqual({ runtime: 'source', reason: 'no build in dist/' });
  });

  it('dist/ when it was built from these sources; the sources once one changes, whatever its mtime', () => {
    const root = tree();
    stamp(root, info.sourceHash(root));
    expect(info.chooseRuntime(root, {}).runtime).toBe('dist');
    const file = path.join(root, 'src/cli/main.ts');
    writeFileSync(file, 'export const a = 2;\n');
    utimesSync(file, new Date(2000, 0, 1), new Date(2000, 0, 1)); // older than the build: still stale
    expect(info.chooseRuntime(root, {})).toEqual({ runtime: 'source', reason: 'dist/ is older than the sources' });
  });

  it('a new source file makes the build stale too', () => {
    const root = tree();
    stamp(root, info.sourceHash(root));
    writeFileSync(path.join(root, 'adapters/slack/extra.ts'), 'export {};\n');
    expect(info.chooseRuntime(root, {}).runtime).toBe('source');
  });

  it('ARXIV_DIGEST_FROM_SOURCE=1 forces the sources', () => {
    const root = tree();
    stamp(root, info.sourceHash(root));
    expect(info.chooseRuntime(root, { ARXIV_DIGEST_FROM_SOURCE: '1' }).runtime).toBe('source');
  });

  it('dist/ when there are no sources to compare with (the Docker image)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'build-info-'));
    stamp(root, 'whatever');
    expect(info.chooseRuntime(root, {})).toEqual({ runtime: 'dist', reason: 'no sources' });
  });

  it('scripts/build.js skips a tree without sources with a notice', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'build-script-'));
    mkdirSync(path.join(root, 'scripts'));
    mkdirSync(path.join(root, 'bin'));
    copyFileSync(path.resolve(__dirname, '../../scripts/build.js'), path.join(root, 'scripts/build.js'));
    copyFileSync(path.resolve(__dirname, '../../bin/build-info.js'), path.join(root, 'bin/build-info.js'));
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/build.js')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/no sources here .*nothing to build/);
  });
});
