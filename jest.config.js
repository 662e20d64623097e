/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // Synthesizing the whole app (esbuild bundling, cfn-guard) takes seconds; keep the default generous.
  testTimeout: 120000,
  // Jest's default (cores - 1) runs a 2-core machine's suites one at a time; the synth-heavy suites overlap well.
  maxWorkers: '100%',
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  // One synth of the test fixture for every suite that only reads its templates (test/helpers/fixture-assembly.ts).
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
};
