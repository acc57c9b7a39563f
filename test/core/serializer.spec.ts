import { CacheSerializationError, defaultSerializer } from '../../src';
import { cloneValue } from '../../src/stores/memory/value-copy';

const { serialize, deserialize } = defaultSerializer;

describe('defaultSerializer (format v1)', () => {
  it('stores finite numbers as decimal text so INCRBY works', () => {
    expect(serialize(42)).toBe('42');
    expect(serialize(-1.5)).toBe('-1.5');
    expect(deserialize('42')).toBe(42);
    expect(deserialize('-7')).toBe(-7);
  });

  it('prefixes everything else with J', () => {
    expect(serialize('x')).toBe('J"x"');
    expect(serialize({ a: 1 })).toBe('J{"a":1}');
  });

  it('round-trips special numbers and containers', () => {
    for (const v of [NaN, Infinity, -Infinity, -0, 10n, new Date(5), [undefined, 1], { u: undefined }]) {
      expect(deserialize(serialize(v))).toEqual(v);
    }
    expect(Object.is(deserialize(serialize(-0)), -0)).toBe(true);
  });

  it('keeps user keys that look like type tags apart', () => {
    const tricky = { '\u0000t': 'date', v: 1, '\u0000\u0000x': 2 };
    expect(deserialize(serialize(tricky))).toEqual(tricky);
  });

  it('never sets a prototype from stored data', () => {
    const forged = 'J{"__proto__":{"polluted":true}}';
    expect(() => deserialize(forged, 'k')).toThrow(CacheSerializationError);
    // The same key spelled with JSON escapes, and nested, is refused too.
    expect(() => deserialize('J{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":true}}', 'k')).toThrow(
      CacheSerializationError,
    );
    expect(() => deserialize('J{"a":[{"b":{"__proto__":{"polluted":true}}}]}', 'k')).toThrow(CacheSerializationError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads plain JSON without the decoding walk, and still decodes every escaped or tagged part', () => {
    const plain = { a: [1, 'two', { b: null }], s: 'C:\\users\\ada', nl: 'line\nbreak' };
    expect(deserialize(serialize(plain))).toStrictEqual(plain);
    // A control character is written as \u00XX; a key starting with NUL is escaped; both round-trip.
    const escaped = { c: '\u0001', '\u0000k': 1, d: new Date(3), nested: [{ u: undefined }] };
    expect(deserialize(serialize(escaped))).toStrictEqual(escaped);
  });

  it('decodes only the top level when its first key holds the only escapes (an envelope), all of it otherwise', () => {
    // An envelope's marker key is the only escape: its value comes back as parsed.
    const envelope = { '\u0000ck': 1, v: { a: [1, { b: 'x' }], s: 'é"' }, t: { users: 'v1' } };
    expect(serialize(envelope)).toMatch(/^J\{"\\u0000\\u0000ck":1,/);
    expect(deserialize(serialize(envelope))).toStrictEqual(envelope);
    // A type tag as the first key of the top level is still a typed value.
    expect(deserialize(serialize(new Date(3)))).toStrictEqual(new Date(3));
    expect(deserialize(serialize(new Map([[1, { a: 2 }]])))).toStrictEqual(new Map([[1, { a: 2 }]]));
    // Escapes further in (a nested tag, a control character, a key whose text holds `":`) take the walk.
    const cases = [
      { '\u0000ck': 1, v: { d: new Date(7), list: [undefined] } },
      { '\u0000ck': 1, v: { s: '\u0001', path: 'C:\\users' } },
      { '\u0000x":': 1, d: new Date(1) },
      { '\u0000a': 1, nested: { '\u0000b': 2 } },
    ];
    for (const value of cases) expect(deserialize(serialize(value))).toStrictEqual(value);
  });

  it('writes plain JSON data as JSON.stringify does, and everything else through the tagging walk', () => {
    const plain = { a: [1, 'two', { b: null, t: true }], n: -1.5, e: '', deep: { x: { y: { z: [[]] } } } };
    expect(serialize(plain)).toBe('J' + JSON.stringify(plain));
    // Deeper than the plain-JSON check looks: the walk writes the same text.
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(serialize(deep)).toBe('J' + JSON.stringify(deep));
    // Each of these differs from plain JSON somewhere inside, and must come back as it was.
    class Point {
      constructor(readonly x = 1) {}
    }
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    const cases: [unknown, unknown][] = [
      [{ n: [1, -0] }, { n: [1, -0] }],
      [{ n: { m: NaN } }, { n: { m: NaN } }],
      [{ at: [new Date(7)] }, { at: [new Date(7)] }],
      [
        [1, undefined, 3],
        [1, undefined, 3],
      ],
      [{ u: undefined }, { u: undefined }],
      [new Array(2), [undefined, undefined]],
      [{ '\u0000k': 1 }, { '\u0000k': 1 }],
      [{ p: new Point(2) }, { p: { x: 2 } }],
      [bare, { a: 1 }],
      [{ m: new Map([[1, 2]]) }, { m: new Map([[1, 2]]) }],
      [{ b: 10n }, { b: 10n }],
    ];
    for (const [value, expected] of cases) expect(deserialize(serialize(value))).toStrictEqual(expected);
    const circular: Record<string, unknown> = { a: { b: 1 } };
    (circular.a as Record<string, unknown>).self = circular;
    expect(() => serialize(circular, 'k')).toThrow(/circular/);
    expect(() => serialize({ then: () => undefined }, 'k')).toThrow(/forget to await/);
    expect(() => serialize({ [Symbol.toStringTag]: 'Odd', a: 1 }, 'k')).toThrow(CacheSerializationError);
    expect(() => serialize({ f: () => 1 }, 'k')).toThrow(/functions are not data/);
  });

  it('refuses own __proto__ keys, Promises and weak collections', () => {
    const polluted = JSON.parse('{"__proto__":{"admin":true}}');
    expect(() => serialize(polluted, 'k')).toThrow(/prototype pollution/);
    expect(() => serialize(Promise.resolve(1), 'k')).toThrow(/forget to await/);
    expect(() => serialize(new WeakMap(), 'k')).toThrow(CacheSerializationError);
  });

  it('reports corrupted or unknown text as CacheSerializationError naming the key', () => {
    expect(() => deserialize('J{broken', 'k1')).toThrow(/"k1" is corrupted/);
    expect(() => deserialize('Zxx', 'k2')).toThrow(/not in a known format/);
    expect(() => deserialize('J{"\\u0000t":"evil","v":1}')).toThrow(/unknown type tag/);
  });

  it('stores class instances as plain data', () => {
    class User {
      constructor(public id: number) {}
      greet() {
        return 'hi';
      }
    }
    expect(deserialize(serialize(new User(1)))).toEqual({ id: 1 });
  });
});

describe('cloneValue', () => {
  it('copies deeply and keeps types', () => {
    const v = { d: new Date(1), m: new Map([[1, { a: 1 }]]), s: new Set([1]), b: Buffer.from('x'), arr: [{ x: 1 }] };
    const c = cloneValue(v);
    expect(c).toEqual(v);
    expect(c.m.get(1)).not.toBe(v.m.get(1));
    expect(c.arr[0]).not.toBe(v.arr[0]);
  });

  it('allows shared (non-circular) references', () => {
    const shared = { x: 1 };
    expect(cloneValue({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it('refuses cycles, functions and symbols, naming the key', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(() => cloneValue(a, 'cyc')).toThrow(/"cyc".*circular/);
    expect(() => cloneValue({ f: () => 1 }, 'fn')).toThrow(/functions/);
    expect(() => cloneValue(Symbol('s'), 'sym')).toThrow(/symbols/);
  });
});
