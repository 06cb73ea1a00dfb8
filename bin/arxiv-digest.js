#!/usr/bin/env node
'use strict';
// The arxiv-digest command. TypeScript sources run through tsx: no build step after `npm ci`.
const { register } = require('tsx/cjs/api');
register();
const { main } = require('../src/cli/main.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`arxiv-digest: ${err?.stack ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
