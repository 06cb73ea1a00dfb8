#!/usr/bin/env node
'use strict';
/**
 * `npm test`, what CI runs: lint (biome) and the build (tsc into dist/, which the tests' child processes run) side
 * by side, then jest (both tiers, jest.config.js) with the whole-project typecheck (tsc --noEmit, tests included)
 * beside it: jest mostly waits on sockets and child processes, so the typecheck uses the CPU it leaves. Each step's
 * output is shown (the typecheck's once jest is done), then one line per step with its time. Exits non-zero if any
 * step failed. Arguments go to jest: `npm test -- --selectProjects unit`, `npm test -- src/pipeline`.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** A package's command, from its package.json's `bin`. */
function bin(pkg, name) {
  const manifest = require.resolve(`${pkg}/package.json`, { paths: [ROOT] });
  const { bin: entries } = require(manifest);
  return path.join(path.dirname(manifest), typeof entries === 'string' ? entries : entries[name]);
}

/** Runs one step; `quiet` steps keep their output until the end. */
function step(name, args, { quiet = true } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    child.stdout?.on('data', (c) => (output += c));
    child.stderr?.on('data', (c) => (output += c));
    child.on('error', (err) => resolve({ name, code: 1, output: String(err), seconds: 0 }));
    child.on('close', (code, signal) =>
      resolve({ name, code: code ?? (signal ? 1 : 0), output, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

function show(result) {
  if (result.output.trim()) process.stdout.write(`\n== ${result.name}\n${result.output.trimEnd()}\n`);
}

async function main(jestArgs) {
  const started = Date.now();
  const first = await Promise.all([
    step('lint', [bin('@biomejs/biome', 'biome'), 'check', '.']),
    step('build', [path.join(ROOT, 'scripts/build.js')]),
  ]);
  first.forEach(show);
  const results = [...first];
  if (first.every((r) => r.code === 0)) {
    const typecheck = step('typecheck', [bin('typescript', 'tsc'), '-p', 'tsconfig.json', '--noEmit']);
    const jest = await step('jest', [bin('jest', 'jest'), ...jestArgs], { quiet: false });
    const checked = await typecheck;
    show(checked);
    results.push(checked, jest);
  }
  const line = results.map((r) => `${r.name} ${r.seconds.toFixed(1)} s${r.code === 0 ? '' : ' FAILED'}`).join(', ');
  process.stdout.write(`\nnpm test: ${line}; ${((Date.now() - started) / 1000).toFixed(1)} s in all\n`);
  return results.every((r) => r.code === 0) && results.length === 4 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`npm test: ${err?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
