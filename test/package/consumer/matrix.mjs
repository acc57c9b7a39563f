// The apps of the compatibility matrix (scripts/compat.mjs). Each is the same source
// (test/package/consumer/app/src) with the package.json and tsconfig a user of that setup would have.

/** The tsconfig `nest new` generates for Nest 12 (TypeScript 6, module nodenext). */
const nest12Compiler = {
  module: 'nodenext',
  moduleResolution: 'nodenext',
  resolvePackageJsonExports: true,
  esModuleInterop: true,
  isolatedModules: true,
  declaration: true,
  removeComments: true,
  emitDecoratorMetadata: true,
  experimentalDecorators: true,
  allowSyntheticDefaultImports: true,
  target: 'ES2023',
  sourceMap: true,
  outDir: './dist',
  rootDir: './src',
  types: ['node'],
  // Our declarations are checked too: a consumer with skipLibCheck off must not see errors in them.
  skipLibCheck: false,
  strictNullChecks: true,
  forceConsistentCasingInFileNames: true,
  noImplicitAny: false,
  strictBindCallApply: false,
  noFallthroughCasesInSwitch: false,
};

/**
 * An existing Nest 11 app on the long-standing CommonJS layout: `module: commonjs` (so Node10
 * module resolution, which ignores `exports`), TypeScript 5.
 */
const nest11Compiler = {
  module: 'commonjs',
  declaration: true,
  removeComments: true,
  emitDecoratorMetadata: true,
  experimentalDecorators: true,
  allowSyntheticDefaultImports: true,
  target: 'ES2021',
  sourceMap: true,
  outDir: './dist',
  rootDir: './src',
  baseUrl: './',
  types: ['node'],
  skipLibCheck: false,
  strictNullChecks: true,
  noImplicitAny: false,
  strictBindCallApply: false,
  forceConsistentCasingInFileNames: true,
  noFallthroughCasesInSwitch: false,
};

const nest12 = {
  '@nestjs/common': '^12.0.0',
  '@nestjs/core': '^12.0.0',
  'reflect-metadata': '^0.2.2',
  rxjs: '^7.8.1',
  '@nestjs/terminus': '^12.0.0',
  typescript: '~6.0.3',
  '@types/node': '^20.19.0',
};

const nest11 = {
  '@nestjs/common': '^11.0.0',
  '@nestjs/core': '^11.0.0',
  '@nestjs/platform-express': '^11.0.0',
  'reflect-metadata': '^0.2.2',
  rxjs: '^7.8.1',
  '@nestjs/terminus': '^11.0.0',
  typescript: '~5.9.2',
  '@types/node': '^20.19.0',
};

/** A Nest 12 ESM app's test tooling: @nestjs/testing plus the runner's own packages. */
const nest12Testing = { ...nest12, '@nestjs/platform-express': '^12.0.0', '@nestjs/testing': '^12.0.0' };

/**
 * Vitest 4 as `nest new` scaffolds it for Nest 12 (SWC through unplugin-swc for decorator
 * metadata). Vitest 4 runs on Node 20 (Vitest 5 needs 22); @swc/core as pinned by the project.
 */
const vitest = {
  name: 'vitest',
  config: 'vitest.config.mjs',
  command: ['node_modules/vitest/vitest.mjs', 'run'],
  passed: /Tests\s+(\d+) passed/,
  dependencies: { vitest: '^4.1.0', 'unplugin-swc': '^2.0.0', '@swc/core': '1.16.18' },
};

/** Jest 30 in native ESM mode with ts-jest, as this project runs its own suite. */
const jestEsm = {
  name: 'jest-esm',
  config: 'jest.config.mjs',
  command: ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--ci'],
  passed: /Tests:\s+(\d+) passed, \1 total/,
  dependencies: { jest: '^30.0.0', 'ts-jest': '^29.4.0' },
};

/**
 * @type {{ name: string, platform: 'express' | 'fastify', type?: 'module', compilerOptions: object,
 *   dependencies: Record<string, string>, runner?: { name: string, config: string, command: string[],
 *   passed: RegExp, dependencies: Record<string, string> } }[]}
 */
export const matrix = [
  {
    name: 'nest12-cjs-express',
    platform: 'express',
    compilerOptions: nest12Compiler,
    dependencies: { ...nest12, '@nestjs/platform-express': '^12.0.0' },
  },
  {
    name: 'nest12-esm-express',
    platform: 'express',
    type: 'module',
    compilerOptions: nest12Compiler,
    dependencies: { ...nest12, '@nestjs/platform-express': '^12.0.0' },
  },
  {
    name: 'nest11-cjs-express',
    platform: 'express',
    compilerOptions: nest11Compiler,
    dependencies: nest11,
  },
  {
    name: 'nest12-cjs-fastify',
    platform: 'fastify',
    compilerOptions: nest12Compiler,
    dependencies: { ...nest12, '@nestjs/platform-fastify': '^12.0.0' },
  },
  {
    name: 'nest12-vitest',
    platform: 'express',
    type: 'module',
    compilerOptions: nest12Compiler,
    runner: vitest,
    dependencies: { ...nest12Testing, ...vitest.dependencies },
  },
  {
    name: 'nest12-jest-esm',
    platform: 'express',
    type: 'module',
    compilerOptions: nest12Compiler,
    runner: jestEsm,
    dependencies: { ...nest12Testing, ...jestEsm.dependencies },
  },
];
