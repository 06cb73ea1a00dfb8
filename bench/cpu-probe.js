'use strict';
// Preloaded (`node -r`) into a command the start-up bench measures: when the process exits it reports its own CPU
// time (all threads) and peak memory on file descriptor 3, which the bench opened as a pipe.
const { writeSync } = require('node:fs');

process.on('exit', () => {
  const u = process.resourceUsage();
  try {
    writeSync(3, JSON.stringify({ userUs: u.userCPUTime, systemUs: u.systemCPUTime, maxRssKb: u.maxRSS }));
  } catch {
    // Run outside the bench (no descriptor 3): nothing to report to.
  }
});
