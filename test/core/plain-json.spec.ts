import { defaultSerializer } from '../../src';
import { isPlainJson, PlainJsonChecks } from '../../src/core/plain-json';

/** A value of the structure the checks compile: nested objects, arrays of objects, every leaf type. */
function profile(id: number): Record<string, unknown> {
  return {
    id,
    name: 'Ada',
    active: true,
    none: null,
    score: 98.6,
    roles: ['admin', 'editor'],
    address: { city: 'London', zip: 'NW1' },
    prefs: { theme: 'dark', notify: { email: true, sms: false } },
    history: [
      { at: '2024-01-01', n: 1 },
      { at: '2024-02-01', n: 2 },
    ],
  };
}

/** A copy of `profile(id)` with the value at `path` replaced by `value` (or deleted when `del`). */
function variant(id: number, path: (string | number)[], value: unknown, del = false): unknown {
  const root = profile(id);
  let node = root as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (del) delete node[last];
  else node[last] = value;
  return root;
}

function learned(): PlainJsonChecks {
  const checks = new PlainJsonChecks();
  expect(checks.isPlain(profile(1))).toBe(true);
  expect(checks.compiled).toBe(1);
  return checks;
}

describe('PlainJsonChecks', () => {
  it('compiles the structure of a plain value and answers for new objects of that structure', () => {
    const checks = learned();
    for (let i = 2; i < 50; i++) expect(checks.isPlain(profile(i))).toBe(true);
    expect(checks.compiled).toBe(1);
    expect(checks.hits).toBe(48);
  });

  it('answers exactly as the generic check for values that leave the structure anywhere inside', () => {
    const checks = learned();
    class Point {
      x = 1;
    }
    const bare = Object.assign(Object.create(null) as object, { city: 'x' });
    const tagged = { city: 'x', zip: 'y', [Symbol.toStringTag]: 'Odd' };
    const hidden = { city: 'x', zip: 'y' };
    Object.defineProperty(hidden, 'toJSON', { value: () => 'other', enumerable: false });
    const notPlain: [string, unknown][] = [
      ['a Date', variant(2, ['address', 'city'], new Date(1))],
      ['undefined', variant(2, ['name'], undefined)],
      ['NaN', variant(2, ['score'], NaN)],
      ['Infinity', variant(2, ['history', 1, 'n'], Infinity)],
      ['-0', variant(2, ['id'], -0)],
      ['a Map', variant(2, ['prefs', 'notify'], new Map())],
      ['a Set', variant(2, ['roles'], new Set(['a']))],
      ['a BigInt', variant(2, ['history', 0, 'n'], 1n)],
      ['a function', variant(2, ['active'], () => 1)],
      ['a symbol', variant(2, ['none'], Symbol('s'))],
      ['a NUL-led key', variant(2, ['address'], { city: 'x', '\u0000zip': 'y' })],
      ['an own __proto__ key', variant(2, ['address'], JSON.parse('{"city":"x","__proto__":{"a":1}}'))],
      ['a toJSON method', variant(2, ['address'], { city: 'x', zip: 'y', toJSON: () => 'other' })],
      ['a non-enumerable toJSON', variant(2, ['address'], hidden)],
      ['a toJSON on an array', variant(2, ['roles'], Object.assign(['a'], { toJSON: () => 'other' }))],
      ['a toStringTag', variant(2, ['address'], tagged)],
      ['a class instance', variant(2, ['address'], new Point())],
      ['a null prototype', variant(2, ['address'], bare)],
      ['an array hole', variant(2, ['roles'], new Array(2))],
      ['undefined in an array', variant(2, ['history', 1], undefined)],
      ['a Buffer', variant(2, ['name'], Buffer.from('x'))],
      ['a Date at the top', new Date(1)],
    ];
    for (const [what, value] of notPlain) {
      expect([what, checks.isPlain(value)]).toEqual([what, false]);
      expect([what, isPlainJson(value, 0)]).toEqual([what, false]);
    }
    // Plain values of another structure inside (other keys, types, lengths) are still plain.
    const plain: [string, unknown][] = [
      ['another leaf type', variant(2, ['name'], 7)],
      ['an object for a leaf', variant(2, ['name'], { first: 'Ada' })],
      ['a missing key', variant(2, ['address', 'zip'], undefined, true)],
      ['an extra key', variant(2, ['address', 'country'], 'GB')],
      ['an empty array', variant(2, ['history'], [])],
      ['a longer array', variant(2, ['history', 2], { at: 'x', n: 3 })],
      ['null for an object', variant(2, ['prefs'], null)],
    ];
    for (const [what, value] of plain) expect([what, checks.isPlain(value)]).toEqual([what, true]);
    // None of these were answered by the generic check at the top level.
    expect(checks.hits).toBe(notPlain.length + plain.length - 1);
  });

  it('hands every value the check refuses to the tagging walk, which keeps what JSON would lose', () => {
    const { serialize, deserialize } = defaultSerializer;
    for (let i = 0; i < 3; i++) serialize(profile(i));
    const values = [
      variant(2, ['address', 'city'], new Date(1)),
      variant(2, ['score'], NaN),
      variant(2, ['id'], -0),
      variant(2, ['history', 0, 'n'], 1n),
      variant(2, ['prefs', 'notify'], new Map([[1, 2]])),
      variant(2, ['address'], { city: 'x', '\u0000zip': 'y' }),
      variant(2, ['name'], undefined),
    ];
    for (const v of values) expect(deserialize(serialize(v))).toStrictEqual(v);
    expect(() => serialize(variant(2, ['address'], { toJSON: () => 'x' }), 'k')).toThrow(/functions are not data/);
    expect(() => serialize(variant(2, ['address'], JSON.parse('{"__proto__":{"a":1}}')), 'k')).toThrow(
      /prototype pollution/,
    );
  });

  it('writes what the walk writes for an object whose toJSON is not enumerable', () => {
    const hidden = { a: 1 };
    Object.defineProperty(hidden, 'toJSON', { value: () => 'replaced', enumerable: false });
    // JSON.stringify alone would write "replaced"; the walk writes the own enumerable data.
    expect(defaultSerializer.deserialize(defaultSerializer.serialize({ v: hidden }))).toStrictEqual({ v: { a: 1 } });
  });

  it('keeps hostile key names out of the generated code', () => {
    const checks = new PlainJsonChecks();
    const names = ['"];throw 1;//', "'+x+'", '\u2028', '`${x}`', '\\', '*/', 'constructor', '1', ''];
    const hostile = () => Object.fromEntries(names.map((k, i) => [k, { [k]: i }]));
    expect(checks.isPlain(hostile())).toBe(true);
    expect(checks.compiled).toBe(1);
    expect(checks.isPlain(hostile())).toBe(true);
    const changed = hostile();
    (changed['"];throw 1;//'] as Record<string, unknown>)['"];throw 1;//'] = NaN;
    expect(checks.isPlain(changed)).toBe(false);
    expect(checks.hits).toBe(2);
  });

  it('compiles no more once new structures go unused, and keeps answering', () => {
    const checks = new PlainJsonChecks();
    for (let i = 0; i < 200; i++) expect(checks.isPlain({ [`k${i}`]: i })).toBe(true);
    expect(checks.compiled).toBeLessThan(20);
    expect(checks.isPlain({ k1: new Date(1) })).toBe(false);
  });

  it('backs off describing values whose top level has too many keys to compile', () => {
    const checks = new PlainJsonChecks();
    const wide = () => Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    for (let i = 0; i < 100; i++) expect(checks.isPlain(wide())).toBe(true);
    expect(checks.compiled).toBe(0);
    expect(checks.described).toBeLessThan(10);
  });

  it('keeps the generic check when code generation is not allowed', () => {
    const checks = new PlainJsonChecks();
    const original = globalThis.Function;
    const refuse = function () {
      throw new EvalError('Code generation from strings disallowed for this context');
    } as unknown as FunctionConstructor;
    globalThis.Function = refuse;
    try {
      expect(checks.isPlain(profile(1))).toBe(true);
      expect(checks.isPlain(variant(2, ['score'], NaN))).toBe(false);
    } finally {
      globalThis.Function = original;
    }
    expect(checks.compiled).toBe(0);
    expect(checks.isPlain(profile(3))).toBe(true);
    expect(checks.compiled).toBe(0);
  });
});
