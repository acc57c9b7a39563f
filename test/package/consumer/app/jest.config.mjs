// Jest 30 in native ESM mode (run with node --experimental-vm-modules): ts-jest emits ES
// modules, `.js` specifiers map back to the TypeScript sources.
export default {
  testEnvironment: 'node',
  testRegex: 'test/.*\\.e2e-spec\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
};
