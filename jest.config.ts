/** @jest-config-loader-options {"transpileOnly": true, "compilerOptions": {"module": "CommonJS", "moduleResolution": "Node10"}} */
import type { Config } from 'jest';

// Type-checking is done once by `tsc` before Jest runs (see `npm test`); ts-jest only transpiles
// (isolatedModules), which keeps the suite fast.
const config: Config = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  testTimeout: 15000,
};

export default config;
