import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { jest } from '@jest/globals';
import fc from 'fast-check';
import { cloneValue } from '../../../src/stores/memory/value-copy';
import { MemoryStore } from '../../../src/stores/memory/memory.store';
import { CacheSerializationError } from '../../../src/core/cache.errors';
import { copierFor, copyHeld, WriteShapes } from '../../../src/stores/memory/write-shapes';

/** Every object reachable from `v` (plain objects, arrays, Map/Set keys and values, Dates, buffers). */
function objectsOf(v: unknown, seen = new Set<object>()): Set<object> {
  if (typeof v !== 'object' || v === null || seen.has(v)) return seen;
  seen.add(v);
  if (v instanceof Map) {
    for (const [k, x] of v) {
      objectsOf(k, seen);
      objectsOf(x, seen);
    }
  } else if (v instanceof Set) {
    for (const x of v) objectsOf(x, seen);
  } else if (!(v instanceof Date) && !ArrayBuffer.isView(v)) {
    for (const k of Object.keys(v)) objectsOf((v as Record<string, unknown>)[k], seen);
  }
  return seen;
}

/** The copy equals the original and shares no object with it, at any depth. */
function expectIsolatedCopy(copy: unknown, original: unknown): void {
  // Node's deep-strict equality compares prototypes; Jest's toStrictEqual compares `.constructor`,
  // which an own `constructor` key shadows, so it cannot judge such values.
  if (!isDeepStrictEqual(copy, original)) expect(copy).toEqual(original);
  expect(isDeepStrictEqual(copy, original)).toBe(true);
  const originals = objectsOf(original);
  const shared = [...objectsOf(copy)].filter((o) => originals.has(o));
  expect(shared).toEqual([]);
}

/** Both entry points: the generic walk and the copier compiled for the value's structure. */
function expectBothCopy(value: unknown): void {
  const held = cloneValue(value);
  expectIsolatedCopy(copyHeld(held), held);
  const copier = copierFor(held);
  expectIsolatedCopy(copier(held), held);
  // A copier is reusable: a second call gives a fresh copy again.
  const again = copier(held);
  expectIsolatedCopy(again, held);
  if (typeof held === 'object' && held !== null) expect(again).not.toBe(copier(held));
}

const nested = (depth: number): Record<string, unknown> => {
  let v: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) v = { level: i, child: v, list: [i] };
  return v;
};

describe('value copier: shapes', () => {
  const shapes: Array<[string, unknown]> = [
    ['a flat object', { a: 1, b: 'two', c: true, d: null, e: 1.5 }],
    ['nested objects', { a: { b: { c: { d: 'deep' } } }, e: { f: 1 } }],
    ['an array of objects', [{ id: 1 }, { id: 2, tags: ['x'] }, { id: 3, meta: { ok: false } }]],
    ['mixed types in one array', [1, 'a', null, true, { o: 1 }, [2, [3]], -0, 1e300]],
    ['null and undefined properties', { a: null, b: undefined, c: [null, undefined] }],
    ['empty objects and arrays', { o: {}, a: [], nested: [{}, [], [[]], { x: {} }] }],
    ['an empty top-level object', {}],
    ['an empty top-level array', []],
    ['a Date part', { at: new Date(1_700_000_000_000), list: [new Date(0)] }],
    [
      'a Map part',
      {
        m: new Map<unknown, unknown>([
          ['k', { v: 1 }],
          [{ key: 1 }, [1, 2]],
        ]),
      },
    ],
    ['a Set part', { s: new Set<unknown>([1, { v: 2 }, [3]]) }],
    ['a Buffer part', { b: Buffer.from('bytes'), u: new Uint8Array([1, 2, 3]) }],
    ['a top-level Map', new Map([['a', { b: 1 }]])],
    ['more than 400 nodes', { items: Array.from({ length: 30 }, (_, i) => ({ i, a: { b: i, c: [i, i + 1] } })) }],
    ['an array longer than 32 items', { list: Array.from({ length: 50 }, (_, i) => ({ i })) }],
    ['a long top-level array', Array.from({ length: 100 }, (_, i) => [i, { i }])],
    ['deeper than 12 levels', nested(20)],
    ['nesting within the compile depth', nested(5)],
  ];

  it.each(shapes)('copies %s equal and unshared', (_name, value) => {
    expectBothCopy(value);
  });

  it('copies scalars as themselves', () => {
    for (const v of [0, -0, 1.5, NaN, 'str', true, false, null, undefined, 10n]) {
      expect(Object.is(copierFor(v)(v), v)).toBe(true);
      expect(Object.is(copyHeld(v), v)).toBe(true);
    }
  });

  it('shares one compiled copier between values of the same structure', () => {
    const a = cloneValue({ id: 1, tags: ['a', 'b'], meta: { x: 1 } });
    const b = cloneValue({ id: 2, tags: ['c', 'd'], meta: { x: 2 } });
    expect(copierFor(a)).toBe(copierFor(b));
    // The copier reads the values of the object it is given, not those it was compiled from.
    expect(copierFor(a)(b)).toStrictEqual(b);
  });
});

describe('value copier: property names cannot inject code', () => {
  const evil = [
    'a"];process.exit(1);//',
    "a'];process.exit(1);//",
    '`${process.exit(1)}`',
    '\u2028',
    '\u2029',
    'back\\slash\\',
    '\\"',
    '}); process.exit(1); ({',
    '*/ process.exit(1) /*',
    'constructor',
    'toString',
    'valueOf',
    'hasOwnProperty',
    '0',
    '01',
    '1e3',
    '-1',
    '',
    ' ',
    'a\nb',
    '\0',
    '\ud800',
  ];

  it.each(evil)('copies the key %j as data', (key) => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => {
      throw new Error('process.exit was called from generated code');
    }) as never);
    try {
      const value = { [key]: { [key]: [key, { [key]: 1 }] }, other: key };
      expectBothCopy(value);
      const copy = copierFor(cloneValue(value))(cloneValue(value)) as Record<string, unknown>;
      expect(Object.keys(copy)).toEqual(Object.keys(value));
      expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
      expect(exit).not.toHaveBeenCalled();
    } finally {
      exit.mockRestore();
    }
  });

  it('keeps integer-like and string keys in the same order as the original', () => {
    const value = cloneValue({ b: 1, '01': 2, '1': 3, a: 4, '0': 5 });
    expect(Object.keys(copierFor(value)(value) as object)).toEqual(Object.keys(value));
  });

  it('never holds an own "__proto__" key: refused on write, and not compiled', async () => {
    const value = JSON.parse('{"a": 1, "n": {"__proto__": {"polluted": true}}}') as Record<string, unknown>;
    expect(() => cloneValue(value)).toThrow(/__proto__/);
    const store = new MemoryStore({ pruneInterval: 0 });
    await expect(store.set('k', value)).rejects.toThrow(/__proto__/);
    expect(await store.get('k')).toBeUndefined();
    await store.close();
    // copierFor gives up on such a structure rather than emit `"__proto__": x` in a literal.
    expect(copierFor(value)).toBe(copyHeld);
  });
});

describe('value copier: property', () => {
  it('copierFor(v)(v) deep-equals v and shares no object with it, for arbitrary JSON-like values', () => {
    const jsonLike = fc.jsonValue({ maxDepth: 6 });
    fc.assert(
      fc.property(jsonLike, (generated) => {
        const held = cloneValue(generated);
        expectIsolatedCopy(copierFor(held)(held), held);
        expectIsolatedCopy(copyHeld(held), held);
      }),
      { seed: 20241121, numRuns: 300 },
    );
  });

  it('holds for objects with arbitrary (hostile) property names', () => {
    const key = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom('constructor', 'toString', '0', '01', '\u2028'),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null)),
        fc.array(tie('node'), { maxLength: 5 }),
        fc.dictionary(key, tie('node'), { maxKeys: 5, noNullPrototype: true }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (generated) => {
        const held = cloneValue(generated);
        expectIsolatedCopy(copierFor(held)(held), held);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('value copier: through the memory store', () => {
  type Peek = { lru: { peek(key: string): { copier?: unknown } | undefined } };

  it('returns isolated copies on the first (generic) and later (compiled) reads', async () => {
    const store = new MemoryStore({ pruneInterval: 0 });
    const original = { id: 1, tags: ['a', 'b'], profile: { name: 'Ada', langs: [{ n: 'en' }] } };
    await store.set('k', original);
    original.profile.name = 'changed after set';
    const expected = { id: 1, tags: ['a', 'b'], profile: { name: 'Ada', langs: [{ n: 'en' }] } };

    const first = (await store.get('k')) as typeof original;
    expect(first).toStrictEqual(expected);
    expect((store as unknown as Peek).lru.peek('k')?.copier).toBeUndefined();

    const second = (await store.get('k')) as typeof original;
    expect(second).toStrictEqual(expected);
    // The second read compiled the copier for this structure; later reads use it.
    expect(typeof (store as unknown as Peek).lru.peek('k')?.copier).toBe('function');
    expect(second).not.toBe(first);

    for (const got of [first, second]) {
      got.id = 99;
      got.tags.push('mutated');
      got.profile.name = 'mutated';
      got.profile.langs[0].n = 'mutated';
    }
    const third = await store.get('k');
    expect(third).toStrictEqual(expected);
    for (const got of [first, second]) {
      const shared = [...objectsOf(third)].filter((o) => objectsOf(got).has(o));
      expect(shared).toEqual([]);
    }
    const many = await store.getMany(['k', 'k']);
    expect(many).toStrictEqual([expected, expected]);
    expect(many[0]).not.toBe(many[1]);
    await store.close();
  });

  it('isolates values read through getMany and values with fallback parts', async () => {
    const store = new MemoryStore({ pruneInterval: 0 });
    await store.set('d', { at: new Date(5), m: new Map([['x', { y: 1 }]]) });
    for (let i = 0; i < 3; i++) {
      const got = (await store.get('d')) as { at: Date; m: Map<string, { y: number }> };
      expect(got).toStrictEqual({ at: new Date(5), m: new Map([['x', { y: 1 }]]) });
      got.at.setTime(0);
      got.m.get('x')!.y = 2;
    }
    await store.close();
  });
});

describe('value copier: validated writes through compiled shapes', () => {
  /** A WriteShapes that has learned the shape of `sample` (its first write compiles it). */
  function learnedFrom(sample: unknown): WriteShapes {
    const shapes = new WriteShapes();
    shapes.copy(sample, 'k');
    shapes.copy(sample, 'k');
    expect(shapes.last).toBeDefined();
    return shapes;
  }

  /** What a store hands out for a copy made by `shapes` (its read copier, or the generic one). */
  function visible(shapes: WriteShapes, held: unknown): unknown {
    return (shapes.last?.read ?? copyHeld)(held);
  }

  it('gives the same copy as cloneValue, isolated, for arbitrary values (hostile names too)', () => {
    const key = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('constructor', 'toString', '0', '01'));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
        fc.array(tie('node'), { maxLength: 12 }),
        fc.dictionary(key, tie('node'), { maxKeys: 6, noNullPrototype: true }),
        fc.date({ noInvalidDate: true }),
      ),
    })).node;
    fc.assert(
      fc.property(value, value, (a, b) => {
        const shapes = new WriteShapes();
        // Learn a's shape, then write b (a fit or a mismatch) and a again (a fit).
        for (const v of [a, a, b, a]) {
          const held = shapes.copy(v, 'k');
          const got = visible(shapes, held);
          expect(isDeepStrictEqual(got, cloneValue(v))).toBe(true);
          expectIsolatedCopy(got, v);
        }
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  const base = () => ({ id: 1, name: 'Ada', tags: ['x', 'y'], addr: { city: 'London' }, items: [{ n: 1 }] });

  class Address {
    city = 'Paris';
  }

  const variants: Array<[string, () => unknown]> = [
    ['an extra key', () => ({ ...base(), extra: true })],
    ['a missing key', () => ({ id: 1, name: 'Ada', tags: [], addr: { city: 'x' } })],
    ['the same keys in another order', () => ({ name: 'Ada', id: 1, tags: [], addr: { city: 'x' }, items: [] })],
    ['an object where a string was', () => ({ ...base(), name: { first: 'Ada' } })],
    ['a string where an object was', () => ({ ...base(), addr: 'London' })],
    ['a Date where a string was', () => ({ ...base(), addr: { city: new Date(7) } })],
    ['a class instance where a plain object was', () => ({ ...base(), addr: new Address() })],
    ['an object far into an array of strings', () => ({ ...base(), tags: [...'abcdefghijkl', { deep: 1 }] })],
    ['a longer array of objects', () => ({ ...base(), items: Array.from({ length: 20 }, (_, n) => ({ n })) })],
    ['an array element of another shape', () => ({ ...base(), items: [{ n: 1 }, { m: 2 }] })],
    ['a null-prototype object', () => ({ ...base(), addr: Object.assign(Object.create(null), { city: 'x' }) })],
    [
      'an inherited enumerable property',
      () => ({ ...base(), addr: Object.assign(Object.create({ inherited: 1 }), { city: 'x' }) }),
    ],
    ['undefined where a string was', () => ({ ...base(), name: undefined })],
  ];

  it.each(variants)('copies a value with %s exactly as cloneValue does', (_name, make) => {
    const shapes = learnedFrom(base());
    const value = make();
    const held = shapes.copy(value, 'k');
    expect(isDeepStrictEqual(visible(shapes, held), cloneValue(value))).toBe(true);
    expectIsolatedCopy(visible(shapes, held), cloneValue(value));
  });

  const refused: Array<[string, () => unknown, RegExp]> = [
    ['a function where a string was', () => ({ ...base(), name: () => 'Ada' }), /functions/],
    ['a symbol where a string was', () => ({ ...base(), name: Symbol('Ada') }), /symbols/],
    ['a function inside an array', () => ({ ...base(), tags: ['x', () => 1] }), /functions/],
    ['a Promise where an object was', () => ({ ...base(), addr: Promise.resolve(1) }), /Promise/],
    [
      'a cycle',
      () => {
        const v: Record<string, unknown> = base();
        (v.addr as Record<string, unknown>).city = v;
        return v;
      },
      /circular/,
    ],
    [
      'a cycle through an array',
      () => {
        const v = base() as Record<string, unknown>;
        (v.items as unknown[]).push(v.items);
        return v;
      },
      /circular/,
    ],
    [
      'an own "__proto__" key',
      () => JSON.parse('{"id":1,"name":"Ada","tags":[],"addr":{"__proto__":{}},"items":[]}'),
      /__proto__/,
    ],
    ['a WeakMap', () => ({ ...base(), addr: new WeakMap() }), /WeakMap/],
  ];

  it.each(refused)('refuses %s with the error cloneValue gives, naming the key', (_name, make, error) => {
    const shapes = learnedFrom(base());
    const value = make();
    expect(() => cloneValue(value, 'user:1')).toThrow(error);
    expect(() => shapes.copy(value, 'user:1')).toThrow(CacheSerializationError);
    expect(() => shapes.copy(value, 'user:1')).toThrow(error);
    expect(() => shapes.copy(value, 'user:1')).toThrow(/"user:1"/);
  });

  it('learns class instances by prototype and hands out plain objects', () => {
    class User {
      constructor(
        public id: number,
        public name: string,
      ) {}
    }
    const shapes = learnedFrom(new User(1, 'Ada'));
    const held = shapes.copy(new User(2, 'Bob'), 'k');
    expect(shapes.last).toBeDefined();
    const got = visible(shapes, held);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(got).toStrictEqual({ id: 2, name: 'Bob' });
    // A plain object with the same keys is another shape (another prototype): still copied right.
    const plain = shapes.copy({ id: 3, name: 'Cy' }, 'k');
    expect(visible(shapes, plain)).toStrictEqual({ id: 3, name: 'Cy' });
    // The generic copy of what a compiled shape holds is a plain object too.
    expect(copyHeld(held)).toStrictEqual({ id: 2, name: 'Bob' });
  });

  it('backs off compiling while every value has a new structure, and still learns a stable one', () => {
    const shapes = new WriteShapes();
    for (let i = 0; i < 5_000; i++) shapes.copy({ [`k${i}`]: i }, 'k');
    expect(shapes.learned).toBeLessThan(40);
    // Then the values settle on one structure: it is learned within the back-off and used.
    let matched = 0;
    for (let i = 0; i < 3_000; i++) {
      shapes.copy({ id: i, name: 'n' }, 'k');
      if (shapes.last) matched++;
    }
    expect(matched).toBeGreaterThan(1_900);
  });

  it('the memory store hands out plain, isolated objects for values written through a shape', async () => {
    const store = new MemoryStore({ pruneInterval: 0 });
    const values = Array.from({ length: 5 }, (_, i) => ({ ...base(), id: i }));
    for (const [i, v] of values.entries()) await store.set(`k${i}`, v);
    values[4].addr.city = 'changed after set';
    values[4].tags.push('changed');
    for (let round = 0; round < 3; round++) {
      const got = (await store.get('k4')) as ReturnType<typeof base>;
      expect(got).toStrictEqual({ ...base(), id: 4 });
      expect(Object.getPrototypeOf(got.addr)).toBe(Object.prototype);
      got.addr.city = 'mutated';
      got.items[0].n = 99;
    }
    expect(await store.getMany(['k3', 'k4'])).toStrictEqual([
      { ...base(), id: 3 },
      { ...base(), id: 4 },
    ]);
    await store.close();
  });
});

describe('value copier: without code generation', () => {
  it('keeps isolating values with generic copies under --disallow-code-generation-from-strings', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--disallow-code-generation-from-strings',
        '-r',
        '@swc-node/register',
        'test/fixtures/codegen/memory-without-codegen.ts',
      ],
      { encoding: 'utf8', env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.json' }, timeout: 60_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toEqual(Array.from({ length: 20 }, () => true));
  }, 60_000);
});
