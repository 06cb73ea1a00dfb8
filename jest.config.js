'use strict';
const { availableParallelism } = require('node:os');

/**
 * Two tiers, one run (docs/layout.md, "Test tiers"):
 * - `unit`: the tests beside the files they test and the quick whole-product tests;
 * - `e2e`: real processes of the binary, resilience and soak runs, and the tests over the real data sets. Every file
 *   under `test/cli/` and `test/resilience/` is here by its path, so a new one lands here with no edit below.
 * Both run in one pool of workers, `e2e` files first (test/setup/sequencer.js), so the longest files overlap the
 * many short ones. `npx jest --selectProjects unit` runs one tier.
 */
const E2E = [
  '/test/cli/.*\\.test\\.ts$',
  '/test/resilience/.*\\.test\\.ts$',
  '/adapters/[^/]+/e2e\\.test\\.ts$',
  // Over the real data sets (16,336 papers' names; a year of votes): seconds of CPU each.
  '/src/follows/names\\.test\\.ts$',
  '/src/profile/profile\\.test\\.ts$',
  '/test/bot/learning\\.test\\.ts$',
];

const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/adapters', '<rootDir>/test'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  // ESM-only dependencies are compiled to CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(p-limit|yocto-queue)/)'],
  setupFiles: ['<rootDir>/test/setup/block-network.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...E2E],
    },
    { ...shared, displayName: 'e2e', testRegex: E2E },
  ],
  testSequencer: '<rootDir>/test/setup/sequencer.js',
  // Most of the suite waits on sockets, child processes and timers, not the CPU: on a small machine more workers
  // than cores keep the cores busy (jest's default, one fewer than the cores, is a single worker on two cores).
  // Two cores: 4 workers; four: 6; from eight on, jest's default.
  maxWorkers: Math.max(availableParallelism() - 1, Math.min(availableParallelism() * 2, 6)),
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
  // A handle a test leaves open must never hang CI: jest exits when the tests are done, and the teardown names what
  // was left open (test/setup/open-handles.js) so the leak is still found and fixed.
  globalTeardown: '<rootDir>/test/setup/open-handles.js',
  forceExit: true,
};
