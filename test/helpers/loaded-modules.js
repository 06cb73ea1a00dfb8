'use strict';
// Preloaded (`node -r`) into a CLI process a test spawns: when it exits, writes the packages it required (their
// names under node_modules) to file descriptor 3, so a test can check what a command loaded.
const { writeSync } = require('node:fs');

process.on('exit', () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const at = file.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const parts = file.slice(at + 'node_modules/'.length).split('/');
    packages.add(parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
  }
  try {
    writeSync(3, JSON.stringify({ packages: [...packages].sort(), files: Object.keys(require.cache) }));
  } catch {
    // Not spawned by a test (no descriptor 3).
  }
});
