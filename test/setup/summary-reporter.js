'use strict';
/**
 * Prints plain closing lines that any CI can read: one per jest project (tier) with its files, its wall time (from
 * its first file's start to its last file's end; the tiers share one pool of workers, so they overlap) and the sum
 * of its files' own times, then `jest: N passed, N failed, N skipped` and the run's wall time.
 */
class SummaryReporter {
  constructor() {
    this.startedAt = Date.now();
  }

  onRunStart() {
    this.startedAt = Date.now();
  }

  onRunComplete(_contexts, results) {
    const {
      numPassedTests,
      numFailedTests,
      numPendingTests,
      numTodoTests,
      numFailedTestSuites,
      numRuntimeErrorTestSuites,
    } = results;
    const lines = [''];
    for (const [name, tier] of tiers(results.testResults)) {
      const wall = (tier.end - tier.start) / 1000;
      lines.push(
        `jest ${name}: ${tier.files} files in ${wall.toFixed(1)} s (files' own time ${(tier.own / 1000).toFixed(1)} s; slowest ${tier.slowest.file} ${(tier.slowest.ms / 1000).toFixed(1)} s)`,
      );
    }
    const failed = numFailedTests + (numFailedTests === 0 ? numFailedTestSuites + numRuntimeErrorTestSuites : 0);
    const wall = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    lines.push(
      `jest: ${numPassedTests} passed, ${failed} failed, ${numPendingTests + numTodoTests} skipped in ${wall} s`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

/** Per project: how many files, the span they ran in, their summed own times and the slowest file. */
function tiers(testResults) {
  const byName = new Map();
  for (const r of testResults) {
    const name = r.displayName?.name ?? 'all';
    const { start, end } = r.perfStats ?? {};
    if (!start || !end) continue;
    const tier = byName.get(name) ?? { files: 0, start, end, own: 0, slowest: { file: '', ms: -1 } };
    tier.files += 1;
    tier.start = Math.min(tier.start, start);
    tier.end = Math.max(tier.end, end);
    tier.own += end - start;
    if (end - start > tier.slowest.ms) tier.slowest = { file: relative(r.testFilePath), ms: end - start };
    byName.set(name, tier);
  }
  return [...byName].sort(([a], [b]) => a.localeCompare(b));
}

function relative(file) {
  const cwd = `${process.cwd()}/`;
  return file.startsWith(cwd) ? file.slice(cwd.length) : file;
}

module.exports = SummaryReporter;
