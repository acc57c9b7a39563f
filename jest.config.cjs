/**
 * Jest 30 in native ESM mode (run through `node --experimental-vm-modules`), as in Nest 12's
 * own application template: every @nestjs/* 12.x package is ESM-only and Jest's CommonJS
 * runtime cannot require(esm) on Node 20.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // Examples import the package by name, as users do; tests run them against the sources.
    '^nestjs-cachekit$': '<rootDir>/src',
    // Every public subpath is src/<name>/index.ts (scripts/package-exports.mjs).
    '^nestjs-cachekit/([a-z][a-z0-9-]*)$': '<rootDir>/src/$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  testTimeout: 30000,
};
