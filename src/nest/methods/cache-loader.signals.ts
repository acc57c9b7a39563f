/**
 * Thrown out of a `remember` loader when the method itself failed, so the caller can tell the
 * method's error (rethrown as is) from a cache failure (absorbed, method runs uncached).
 */
export class LoaderFailure {
  constructor(readonly cause: unknown) {}
}

/** Thrown out of a `remember` loader to hand a value back without storing it. */
export class NotCached {
  constructor(readonly value: unknown) {}
}

/** Calls a user option (`condition`, `unless`, key function) typed loosely on purpose. */
export function callOption<R>(fn: (...args: never[]) => R, args: readonly unknown[]): R {
  return (fn as (...a: unknown[]) => R)(...args);
}
