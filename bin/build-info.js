'use strict';
/**
 * Which code `bin/arxiv-digest.js` runs: the compiled JavaScript in `dist/` when it was built from exactly the
 * sources in the checkout, else the TypeScript sources through tsx. "Exactly" is a hash of the sources' bytes (every
 * non-test `.ts` under src/ and adapters/, and the tsconfigs), written to `dist/build-info.json` by
 * `scripts/build.js` and compared at every start (a few milliseconds): an edited, pulled, stashed or copied-back
 * file changes it whatever its mtime, so a stale build never runs. A tree without sources (the Docker image ships
 * dist/ alone) runs dist/. `ARXIV_DIGEST_FROM_SOURCE=1` forces the sources.
 */
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCE_DIRS = ['src', 'adapters'];
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json'];
const DIST = 'dist';
const STAMP = 'build-info.json';

/** The compiled sources' paths relative to `root`, sorted: `.ts` files but tests and declarations. */
function sourceFiles(root) {
  const out = [];
  const walk = (rel) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
        out.push(child);
      }
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(path.join(root, dir))) walk(dir);
  return out.sort();
}

/** sha256 over every source file's path and bytes, and the tsconfigs: what the build's output depends on. */
function sourceHash(root) {
  const hash = createHash('sha256');
  for (const rel of [...sourceFiles(root), ...CONFIG_FILES.filter((f) => existsSync(path.join(root, f)))]) {
    hash
      .update(rel)
      .update('\0')
      .update(readFileSync(path.join(root, rel)))
      .update('\0');
  }
  return hash.digest('hex');
}

function readStamp(root) {
  try {
    return JSON.parse(readFileSync(path.join(root, DIST, STAMP), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * 'dist' or 'source', and why. dist/ runs when its stamp matches the sources, or when there are no sources to
 * compare with (a deployed image); the sources run when asked for, when there is no build, or when it is stale.
 */
function chooseRuntime(root = ROOT, env = process.env) {
  if (env.ARXIV_DIGEST_FROM_SOURCE === '1') return { runtime: 'source', reason: 'ARXIV_DIGEST_FROM_SOURCE=1' };
  const stamp = readStamp(root);
  if (!stamp || typeof stamp.sourceHash !== 'string') return { runtime: 'source', reason: 'no build in dist/' };
  if (!SOURCE_DIRS.some((d) => existsSync(path.join(root, d)))) return { runtime: 'dist', reason: 'no sources' };
  if (stamp.sourceHash !== sourceHash(root)) return { runtime: 'source', reason: 'dist/ is older than the sources' };
  return { runtime: 'dist', reason: 'dist/ matches the sources' };
}

/**
 * The path to `require` for a module of the sources (`src/cli/main`): its compiled file in dist/ or, after tsx's
 * CommonJS hook is registered, the TypeScript file itself.
 */
function resolveEntry(rel, root = ROOT, env = process.env) {
  const choice = chooseRuntime(root, env);
  if (choice.runtime === 'dist') return path.join(root, DIST, `${rel}.js`);
  let register;
  try {
    ({ register } = require('tsx/cjs/api'));
  } catch {
    throw new Error(
      `cannot run arxiv-digest: ${choice.reason} and tsx is not installed (run \`npm ci\` with the dev dependencies, or \`npm run build\`)`,
    );
  }
  register();
  return path.join(root, `${rel}.ts`);
}

module.exports = { ROOT, DIST, STAMP, SOURCE_DIRS, sourceFiles, sourceHash, readStamp, chooseRuntime, resolveEntry };
