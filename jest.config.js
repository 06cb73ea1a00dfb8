'use strict';
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/adapters', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  // ESM-only dependencies are compiled to CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(p-limit|yocto-queue)/)'],
  setupFiles: ['<rootDir>/test/setup/block-network.ts'],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
};
