#!/usr/bin/env node
'use strict';
// The arxiv-digest command: the build in dist/ when it matches the sources, else the TypeScript sources through tsx
// (bin/build-info.js decides), so a checkout runs right after `npm ci` and a stale build never runs.
if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') process.setSourceMapsEnabled(true);
let entry;
try {
  entry = require('./build-info').resolveEntry('src/cli/main');
} catch (err) {
  process.stderr.write(`arxiv-digest: ${err?.message ?? String(err)}\n`);
  process.exit(1);
}
const { main } = require(entry);
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`arxiv-digest: ${err?.stack ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
