import { MISMATCH, shapeOf, type Copier, type Shape } from './shape-compiler';
import { cloneValue, copyHeld } from './value-copy';

/**
 * How the memory store isolates values: a validating copy on write (through the shapes of
 * recent writes when the value fits one, else the generic `cloneValue`), and a copy on read
 * (through the compiled `read` of the entry's shape, else the generic `copyHeld`).
 */
export { copyHeld, type Copier };

/**
 * A copier for values of the structure of `held` (shared by entries of the same structure), or
 * the generic `copyHeld` for scalars.
 */
export function copierFor(held: unknown): Copier {
  const shape = shapeOf(held);
  if (!shape) return copyHeld;
  // A shape samples the first items of each array: use it only if the whole value fits.
  try {
    return shape.write(held, undefined) !== MISMATCH ? shape.read : copyHeld;
  } catch {
    return copyHeld; // not a value `cloneValue` accepts (only ever built by hand, in tests)
  }
}

/** Recently written shapes a store tries first; beyond this the least recent is dropped. */
const MAX_RECENT = 8;
/** Longest run of generic copies between two attempts to compile a new shape. */
const MAX_BACKOFF = 1024;

/**
 * Validating copies of the values written to one store. Tries the shapes of recent writes
 * (most recent first), else copies generically and, now and then, compiles the value's shape.
 * Compiling backs off while new shapes go unused (values of ever-changing structure), so such
 * workloads pay for a compile once per {@link MAX_BACKOFF} writes at most.
 */
export class WriteShapes {
  /** The shape the last {@link copy} matched; its `read` copier fits that copy. */
  last: Shape | undefined = undefined;
  /** Shapes compiled or looked up so far (for tests and diagnostics). */
  learned = 0;
  private readonly recent: { shape: Shape; hits: number }[] = [];
  private misses = 0;
  private every = 1;

  /** A deep copy of `value`, validated. @throws CacheSerializationError naming `key` */
  copy(value: unknown, key: string): unknown {
    this.last = undefined;
    if (typeof value !== 'object' || value === null) return cloneValue(value, key);
    const recent = this.recent;
    for (let i = 0; i < recent.length; i++) {
      const entry = recent[i];
      const copy = entry.shape.write(value, key);
      if (copy === MISMATCH) continue;
      entry.hits++;
      if (i > 0) {
        recent.splice(i, 1);
        recent.unshift(entry);
      }
      this.last = entry.shape;
      return copy;
    }
    const copy = cloneValue(value, key);
    if (++this.misses >= this.every) {
      this.misses = 0;
      this.learn(value);
    }
    return copy;
  }

  private learn(value: unknown): void {
    const shape = shapeOf(value);
    if (!shape) return;
    this.learned++;
    if (this.recent.some((e) => e.shape === shape)) {
      // The value's sampled shape is known yet did not fit it (irregular arrays): back off.
      this.every = Math.min(this.every * 2, MAX_BACKOFF);
      return;
    }
    this.recent.unshift({ shape, hits: 0 });
    if (this.recent.length > MAX_RECENT) {
      const dropped = this.recent.pop()!;
      this.every = dropped.hits < 2 ? Math.min(this.every * 2, MAX_BACKOFF) : 1;
    }
  }
}
