/**
 * The sealed bus message on its own (bus-seal.ts, bus-message.ts), without a network: what a
 * listener is told for each kind of message, the own-origin check before any decryption, and the
 * size a transport with a limit (NOTIFY) sizes its batches by.
 */
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { deriveMessageKeys } from '../../../src/core/pipeline/message-keys';
import { deliverBusMessage } from '../../../src/stores/tiered/bus-message';
import { BusSeal } from '../../../src/stores/tiered/bus-seal';
import type { BusListener } from '../../../src';

function recorder(): { calls: string[]; listener: BusListener } {
  const calls: string[] = [];
  return {
    calls,
    listener: {
      keys: (k) => calls.push(`keys ${k.join(',')}`),
      clear: () => calls.push('clear'),
      down: () => calls.push('down'),
      up: () => calls.push('up'),
      fault: (why) => calls.push(`fault ${why}`),
    },
  };
}

const A = { id: 'a', key: randomBytes(32) };
const B = { id: 'b', key: randomBytes(32) };

describe('sealed bus messages', () => {
  it('a sealed key list reaches the listener as keys; without a seal it is a clear and a fault', () => {
    const text = new BusSeal([A]).message('sender', ['k1', 'k2']);
    const sealed = recorder();
    deliverBusMessage(text, 'me', sealed.listener, new BusSeal([A]));
    expect(sealed.calls).toEqual(['keys k1,k2']);
    const plain = recorder();
    deliverBusMessage(text, 'me', plain.listener);
    expect(plain.calls).toEqual(['clear', "fault it is sealed, and this store's L2 has neither encrypt nor hashKeys"]);
  });

  it('what an older version reads: c: 1 and no key list, so it clears', () => {
    const m = JSON.parse(new BusSeal([A]).message('sender', ['secret-name'])) as Record<string, unknown>;
    expect(Object.keys(m)).toEqual(['i', 'c', 'x']);
    expect(m.c).toBe(1);
  });

  it("this instance's own messages are dropped before any decryption, even unreadable ones", () => {
    const own = recorder();
    deliverBusMessage(JSON.stringify({ i: 'me', c: 1, x: 'zz.garbage' }), 'me', own.listener, new BusSeal([A]));
    deliverBusMessage(new BusSeal([B]).message('me', ['k']), 'me', own.listener, new BusSeal([A]));
    expect(own.calls).toEqual([]);
  });

  it('plain messages are read as before with a seal (an older instance, a peer without the options)', () => {
    const r = recorder();
    deliverBusMessage(JSON.stringify({ i: 'old', k: ['k1', 3, 'k2'] }), 'me', r.listener, new BusSeal([A]));
    deliverBusMessage(JSON.stringify({ i: 'old', c: 1 }), 'me', r.listener, new BusSeal([A]));
    deliverBusMessage('not json', 'me', r.listener, new BusSeal([A]));
    expect(r.calls).toEqual(['keys k1,k2', 'clear']);
  });

  it('rotation: [B, A] opens what [A] sealed; [A] names the key it lacks', () => {
    const r = recorder();
    deliverBusMessage(new BusSeal([A]).message('s', ['k']), 'me', r.listener, new BusSeal([B, A]));
    deliverBusMessage(new BusSeal([B, A]).message('s', ['k']), 'me', r.listener, new BusSeal([A]));
    expect(r.calls).toEqual([
      'keys k',
      'clear',
      `fault it was sealed with key "b", which is not in this L2's encrypt.keys`,
    ]);
  });

  it('keys derived from hashKeys alone are told apart from encrypt keys', () => {
    const fromHash = deriveMessageKeys({ hashKey: randomBytes(32) })!;
    const r = recorder();
    deliverBusMessage(new BusSeal(fromHash).message('s', ['k']), 'me', r.listener, new BusSeal([A]));
    expect(r.calls).toEqual(['clear', 'fault it was sealed with a hashKeys secret, and this L2 has encrypt.keys']);
    expect(deriveMessageKeys(undefined)).toBeUndefined();
    expect(deriveMessageKeys({ compress: { threshold: 0, algorithm: 'gzip' } })).toBeUndefined();
    // Message keys are never the value keys they come from.
    const [derived] = deriveMessageKeys({ encrypt: { keys: [A] } })!;
    expect(derived.id).toBe('a');
    expect(derived.key.equals(A.key)).toBe(false);
  });

  it.each([1, 12, 32])(
    'plainBudget: a key list of that many bytes seals within the limit (key id of %i)',
    (idLength) => {
      const seal = new BusSeal([{ id: 'i'.repeat(idLength), key: A.key }]);
      for (const limit of [7000, 1000, 333]) {
        const budget = seal.plainBudget(limit);
        // One key whose JSON array is exactly `budget` bytes: `["` + body + `"]`.
        const text = seal.message(randomBytes(9).toString('base64url'), ['x'.repeat(budget - 4)]);
        expect(text.length).toBeLessThanOrEqual(limit);
        expect(text.length).toBeGreaterThan(limit - 60);
      }
    },
  );
});
