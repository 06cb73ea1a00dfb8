'use strict';
/**
 * The order jest starts test files in: longest first, so no long file starts last while the other workers idle.
 * A file's length is the last run's time when jest has it (its cache), else an estimate by tier: `e2e` files
 * (real processes, resilience, soak) before `unit` ones. A fresh clone (CI) has no timings, so its `e2e` files
 * start first and the many short `unit` files fill the other workers; ties keep jest's own order (by file size).
 */
const Sequencer = require('@jest/test-sequencer').default;

const estimateMs = (test) => test.duration ?? (test.context.config.displayName?.name === 'e2e' ? 30_000 : 1_000);

class TierSequencer extends Sequencer {
  sort(tests) {
    const sorted = Array.from(super.sort(tests)); // sets each test's duration from the cache, where known
    return sorted.sort((a, b) => estimateMs(b) - estimateMs(a));
  }
}

module.exports = TierSequencer;
