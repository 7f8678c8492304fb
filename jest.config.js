const { cpus } = require('node:os');

/** Jest runs the TypeScript sources through ts-jest, type checks apart. */
module.exports = {
  // Most suites spend their time waiting on the emulator and on turns of
  // the CloudFormation pace, not on the CPU: even on two CPUs, two at once.
  maxWorkers: Math.max(2, cpus().length - 1),
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': 'ts-jest',
  },
  testTimeout: 60000,
};
