/** @type {import('jest').Config} */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  // Two tiers. `unit`: pure logic, no servers, milliseconds each (`npm run test:unit`, or
  // `npx jest --selectProjects unit`). `integration`: real servers, databases, sockets, browsers.
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'] },
    { ...shared, displayName: 'integration', roots: ['<rootDir>/test'], testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'] },
  ],
  // Generous: a suite's work is bounded by count, and a busy machine (CI, a shared laptop) may
  // take several times as long as an idle one. Suites with large work set their own, larger ones.
  testTimeout: 120_000,
  // The unit tier first (a broken rule shows in seconds), then the integration suites.
  testSequencer: '<rootDir>/scripts/test-sequencer.js',
  // Integration suites each start real servers and databases; two at a time suits a 2-core machine.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.js'],
};
