#!/usr/bin/env node
'use strict';
// Runs a TypeScript entry point without a build step: tsx compiles on the fly.
const { register } = require('tsx/cjs/api');
register();
const path = require('node:path');
const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: run-ts <file.ts> [args...]\n');
  process.exit(2);
}
process.argv.splice(1, 1);
require(path.resolve(entry));
