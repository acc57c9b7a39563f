// What the memory store holds for an object value with isolation `clone`: its private copy, copied
// on every read. A tagged entry's envelope keeps its tag-version map shared instead (frozen, and
// one object for every entry written with the same versions): it is the cache's own metadata,
// which no reader changes, and a cache can then recognise a tag map it has already checked.
import { ENVELOPE, type Envelope } from '../../core/envelope';
import { frozenCopy } from './value-freeze';
import { copierFor, copyHeld, type Copier } from './write-shapes';

/**
 * An object value's private copy, plus the copier compiled for its structure once the entry is
 * read a second time (entries read once never pay for it).
 */
export class Held {
  reads = 0;
  constructor(
    readonly value: object,
    /** Known when the write matched a compiled shape. */
    private copier: Copier | undefined,
  ) {}

  copy(): unknown {
    if (this.copier) return this.copier(this.value);
    if (++this.reads < 2) return copyHeld(this.value);
    this.copier = copierFor(this.value);
    return this.copier(this.value);
  }
}

/** A tagged envelope: the value held (copied on read), the tag map and deadline shared. */
export class HeldEnvelope {
  constructor(
    /** The user's value: a {@link Held} copy, or a scalar. */
    readonly v: unknown,
    /** Tag name → version, frozen; the same object for entries of the same versions. */
    readonly t: Readonly<Record<string, string>>,
    readonly f: number | undefined,
  ) {}

  copy(): Envelope {
    const held = this.v;
    const v = held instanceof Held ? held.copy() : held;
    // Literal keys (the value of ENVELOPE): one object shape, no computed-key definition per read.
    return this.f === undefined ? { '\u0000ck': 1, v, t: this.t } : { '\u0000ck': 1, v, t: this.t, f: this.f };
  }

  /** The envelope as written (for the byte estimate). */
  view(): Envelope {
    const held = this.v;
    const env: Envelope = { [ENVELOPE]: 1, v: held instanceof Held ? held.value : held, t: this.t };
    if (this.f !== undefined) env.f = this.f;
    return env;
  }
}

/**
 * The tag maps of one store's envelopes: the map last kept is reused for an envelope written
 * with the same versions (the usual case: every write through one tagged view between flushes).
 */
export class TagMaps {
  private last: Readonly<Record<string, string>> | undefined;

  /**
   * A {@link HeldEnvelope} for `copy` (the store's private copy of what was written) when it is
   * a tagged envelope of the form the cache writes, else `undefined` (held as a plain value).
   */
  hold(copy: object): HeldEnvelope | undefined {
    const env = copy as Partial<Envelope> & Record<string, unknown>;
    if (env[ENVELOPE] !== 1 || Array.isArray(env)) return undefined;
    const keys = Object.keys(env);
    for (const k of keys) if (k !== ENVELOPE && k !== 'v' && k !== 't' && k !== 'f') return undefined;
    const { v, t, f } = env;
    if (!('v' in env) || keys.length !== ('f' in env ? 4 : 3)) return undefined;
    if ((f !== undefined && typeof f !== 'number') || !isTagMap(t)) return undefined;
    const tags = this.share(t);
    return new HeldEnvelope(typeof v === 'object' && v !== null ? new Held(v, undefined) : v, tags, f);
  }

  private share(t: Record<string, string>): Readonly<Record<string, string>> {
    const last = this.last;
    if (last !== undefined && sameTags(last, t)) return last;
    // A copy made by value-freeze, not the object itself: freezing objects of a compiled shape's
    // allocation sites deoptimises every clone-mode read (value-freeze.ts).
    return (this.last = frozenCopy(t) as Readonly<Record<string, string>>);
  }
}

/**
 * A non-empty object of strings (what `wrap` stores as `t`; the store's copy of it may be of a
 * compiled shape's constructor).
 */
function isTagMap(t: unknown): t is Record<string, string> {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return false;
  const names = Object.keys(t);
  for (const name of names) if (typeof (t as Record<string, unknown>)[name] !== 'string') return false;
  return names.length > 0;
}

function sameTags(a: Readonly<Record<string, string>>, b: Record<string, string>): boolean {
  const names = Object.keys(b);
  for (const name of names) if (a[name] !== b[name]) return false;
  return Object.keys(a).length === names.length;
}
