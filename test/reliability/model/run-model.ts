/**
 * Runs random command sequences against a real cache and the reference model, comparing every
 * answer. Fixed seed and run count in CI; `MODEL_RUNS`/`MODEL_SEED` (the nightly script) make
 * it larger or different.
 */
import { expect } from '@jest/globals';
import fc from 'fast-check';
import { createCacheManager, type Cache, type StoreConfig } from '../../../src';
import { CacheModel, commandArb, type Command, type CommandOptions, type Expected, type Outcome } from './cache-model';

export interface ModelTarget {
  cache: Cache;
  /** Moves the store's clock (ManualClock stores only). */
  advance?(ms: number): void;
  now(): number;
  dispose(): Promise<void>;
}

export interface ModelRunOptions extends CommandOptions {
  /** A fresh, empty cache for one run. */
  target(): Promise<ModelTarget>;
  numRuns?: number;
  maxCommands?: number;
}

/** Bounds for CI, overridable by the nightly script. */
export function runSettings(defaultRuns: number): { seed: number; numRuns: number } {
  return {
    seed: Number(process.env.MODEL_SEED ?? 42),
    numRuns: Number(process.env.MODEL_RUNS ?? defaultRuns),
  };
}

async function execute(cache: Cache, target: ModelTarget, cmd: Command): Promise<Outcome> {
  try {
    switch (cmd.op) {
      case 'set':
        return { ok: await cache.set(cmd.key, cmd.value, cmd.ttl) };
      case 'add':
        return { ok: await cache.add(cmd.key, cmd.value, cmd.ttl) };
      case 'get':
        return { ok: await cache.get(cmd.key) };
      case 'has':
        return { ok: await cache.has(cmd.key) };
      case 'getMany':
        return { ok: await cache.getMany(cmd.keys) };
      case 'delete':
        return { ok: await cache.delete(cmd.key) };
      case 'increment':
        return { ok: await cache.increment(cmd.key, cmd.by, cmd.ttl) };
      case 'tagSet':
        return { ok: await cache.tags(cmd.tags).set(cmd.key, cmd.value, cmd.ttl) };
      case 'flush':
        return { ok: await cache.tags(cmd.tags).flush() };
      case 'advance':
        target.advance!(cmd.ms);
        return { ok: undefined };
      case 'clear':
        return { ok: await cache.clear() };
    }
  } catch (err) {
    return { error: (err as Error).constructor.name };
  }
}

function matches(expected: Expected, actual: Outcome): boolean {
  if ('anyOf' in expected) return expected.anyOf.some((e) => matches(e, actual));
  if ('approx' in expected) {
    if (!('ok' in actual) || typeof actual.ok !== 'number') return false;
    const want = expected.approx;
    return actual.ok === want || Math.abs(actual.ok - want) <= Math.max(1e-16, Math.abs(want) * 1e-12);
  }
  try {
    expect(actual).toEqual(expected);
    return true;
  } catch {
    return false;
  }
}

/** Runs the property; every command's answer must match the model's. */
export async function checkAgainstModel(options: ModelRunOptions): Promise<void> {
  const settings = runSettings(options.numRuns ?? 100);
  await fc.assert(
    fc.asyncProperty(
      fc.array(commandArb(options), { minLength: 1, maxLength: options.maxCommands ?? 30 }),
      async (cmds) => {
        const target = await options.target();
        try {
          const model = new CacheModel(target.now());
          for (let i = 0; i < cmds.length; i++) {
            const expected = model.apply(cmds[i]);
            const actual = await execute(target.cache, target, cmds[i]);
            if (!matches(expected, actual)) {
              throw new Error(
                `command #${i} ${describe(cmds[i])}: expected ${describe(expected)}, got ${describe(actual)}`,
              );
            }
            model.settle(actual);
          }
        } finally {
          await target.dispose();
        }
      },
    ),
    {
      ...settings,
      interruptAfterTimeLimit: Number(process.env.MODEL_TIME_LIMIT_MS ?? 90_000),
      markInterruptAsFailure: false,
    },
  );
}

function describe(x: unknown): string {
  return fc.stringify(x);
}

/**
 * The model check on a real server in real time (long TTLs, no clock advance): each run gets a
 * fresh manager of `stores` under its own prefix (`<prefix><run>`) and checks the store `use`.
 */
export function checkServerAgainstModel(
  stores: Record<string, StoreConfig>,
  use: string,
  prefix: string,
  numRuns: number,
): Promise<void> {
  let run = 0;
  return checkAgainstModel({
    ttls: [undefined, 3600],
    advances: [],
    numRuns,
    target: async () => {
      const manager = createCacheManager({
        prefix: `${prefix}${run++}`,
        logger: { warn: () => undefined, error: () => undefined },
        default: use,
        stores,
      });
      await manager.ready();
      return { cache: manager.store(use), now: () => Date.now(), dispose: () => manager.close() };
    },
  });
}
