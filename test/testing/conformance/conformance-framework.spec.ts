/**
 * describeStoreConformance takes the test framework's functions as options, for runners without
 * Jest's globals ("Jest, Vitest and node:test all fit"). Their types must accept each runner's
 * functions as they are, without a cast: node:test types its callbacks `void | Promise<void>`.
 * Type-checked here through the compiler, as a user's project would check it.
 */
import { join } from 'node:path';
import { typeErrors as typeErrorsOf } from '../../support/type-check';

const probe = join(process.cwd(), 'test', 'testing', 'conformance', '__framework-probe.ts');
const typeErrors = (text: string) => typeErrorsOf(probe, text);

describe('ConformanceOptions', () => {
  it("accepts node:test's and Jest's describe, it, beforeEach and afterEach without a cast", () => {
    const errors = typeErrors(
      [
        `import * as nodeTest from 'node:test';`,
        `import type { ConformanceFramework, ConformanceOptions } from 'nestjs-cachekit/testing';`,
        `export const viaNode: ConformanceOptions = {`,
        `  describe: nodeTest.describe, it: nodeTest.it, beforeEach: nodeTest.beforeEach, afterEach: nodeTest.afterEach,`,
        `};`,
        `export const viaJest: ConformanceFramework = { describe, it, beforeEach, afterEach };`,
      ].join('\n'),
    );
    expect(errors).toEqual([]);
  }, 60_000);
});
