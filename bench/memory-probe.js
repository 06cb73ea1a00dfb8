'use strict';
// Preloaded (`node -r`) into the arxiv-digest process the digest bench runs: it reports the process's own memory on
// file descriptor 3 (a pipe the bench opened), one JSON line each time: on SIGUSR2 (now: RSS and heap) and at exit
// (also the peak RSS the kernel saw, `maxRSS`). So the bot is measured in its own process, without the fake servers.
const { writeSync } = require('node:fs');

function report(kind) {
  const m = process.memoryUsage();
  const line = { kind, rssKb: Math.round(m.rss / 1024), heapUsedKb: Math.round(m.heapUsed / 1024) };
  line.maxRssKb = process.resourceUsage().maxRSS;
  try {
    writeSync(3, `${JSON.stringify(line)}\n`);
  } catch {
    // Run outside the bench (no descriptor 3): nothing to report to.
  }
}

process.on('SIGUSR2', () => report('now'));
process.on('exit', () => report('exit'));
