#!/usr/bin/env node
'use strict';
/**
 * `npm run build` (also run by `npm ci` through `prepare`): compiles src/ and adapters/ with tsc
 * (tsconfig.build.json) into a fresh directory, stamps it with the hash of the sources it was compiled from
 * (bin/build-info.js), and only then swaps it in as dist/, so a half-written build is never run. A tree without
 * sources (the Docker image's dependency layer) or without TypeScript (`npm ci --omit=dev`) skips the build with a
 * notice: bin/arxiv-digest.js then runs the sources through tsx, or says what is missing.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { DIST, ROOT, SOURCE_DIRS, STAMP, sourceHash } = require('../bin/build-info');

function main() {
  if (!SOURCE_DIRS.some((d) => existsSync(path.join(ROOT, d)))) {
    process.stderr.write('arxiv-digest build: no sources here (src/, adapters/): nothing to build\n');
    return 0;
  }
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  } catch {
    process.stderr.write(
      'arxiv-digest build: skipped, TypeScript is not installed (dev dependencies omitted); `npm ci` then `npm run build` builds dist/\n',
    );
    return 0;
  }
  const hash = sourceHash(ROOT); // before compiling: a file edited meanwhile leaves the stamp stale, never wrong
  const fresh = path.join(ROOT, `${DIST}.building-${process.pid}`);
  rmSync(fresh, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', fresh], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    rmSync(fresh, { recursive: true, force: true });
    process.stderr.write('arxiv-digest build: tsc failed; dist/ left as it was\n');
    return result.status ?? 1;
  }
  const { version } = require(require.resolve('typescript/package.json', { paths: [ROOT] }));
  writeFileSync(path.join(fresh, STAMP), `${JSON.stringify({ sourceHash: hash, typescript: version }, null, 2)}\n`);
  const target = path.join(ROOT, DIST);
  rmSync(target, { recursive: true, force: true });
  renameSync(fresh, target);
  return 0;
}

process.exitCode = main();
