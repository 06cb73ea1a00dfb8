'use strict';
/**
 * The order jest starts test files in: the `e2e` tier first (its files are the longest, so they start while the many
 * short `unit` files fill the other workers), each tier in jest's own order (the files that failed last, then the
 * slowest by the last run's timings, then the largest). On a fresh clone jest has no timings; the tier still holds.
 */
const Sequencer = require('@jest/test-sequencer').default;

class TierSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const tier = (t) => (t.context.config.displayName?.name === 'e2e' ? 0 : 1);
    return Array.from(sorted).sort((a, b) => tier(a) - tier(b));
  }
}

module.exports = TierSequencer;
