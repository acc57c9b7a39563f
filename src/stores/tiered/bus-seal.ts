import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HASH_KEY_ID, messageKeysOf, type MessageKey } from '../../core/pipeline/message-keys';
import type { CacheStore } from '../../core/store.types';

/*
 * Bus messages of a two-tier store whose L2 has `encrypt` or `hashKeys`: the key list is sealed
 * with AES-256-GCM under the first of the L2's message keys (core/pipeline/message-keys.ts),
 * opened with whichever listed key sealed it.
 *   {"i":"<sender id>","c":1,"x":"<key id>.<base64 of iv(12) | tag(16) | ciphertext>"}
 * The plaintext is the JSON array of keys; the AAD is the key id and the sender id, so a message
 * whose sender was changed fails authentication. `c: 1` is for an instance that does not know `x`
 * (an older version, or one whose L2 has neither option): it reads the message as a clear and
 * empties its L1, never keeps a copy the message was about. A clear carries no names and is sent
 * as it is.
 */
const IV = 12;
const TAG = 16;

/** Why a sealed message could not be read (the receiving store empties its L1 and counts it). */
export class UnreadableBusMessage extends Error {}

/** Seals and opens key lists with the message keys of a two-tier store's L2. */
export class BusSeal {
  private readonly writeKey: MessageKey;
  private readonly byId: Map<string, Buffer>;

  constructor(keys: readonly MessageKey[]) {
    this.writeKey = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The wire text of `keys` from sender `id`. */
  message(id: string, keys: readonly string[]): string {
    const w = this.writeKey;
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', w.key, iv);
    cipher.setAAD(aad(w.id, id));
    const body = Buffer.concat([cipher.update(JSON.stringify(keys), 'utf8'), cipher.final()]);
    const x = `${w.id}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    return JSON.stringify({ i: id, c: 1, x });
  }

  /**
   * The most bytes of key list (its JSON) whose sealed message has at most `maxLength` characters
   * (a sender id of up to 18 characters): what a transport with a size limit (NOTIFY's 8000 bytes)
   * sizes its batches by. Base64 makes 4 characters of every 3 bytes.
   */
  plainBudget(maxLength: number): number {
    const envelope = 40 + this.writeKey.id.length; // {"i":"…","c":1,"x":"<key id>.…"}
    return Math.floor((maxLength - envelope) / 4) * 3 - IV - TAG;
  }

  /** The keys of sealed message `x` from `sender`; an {@link UnreadableBusMessage} saying why not. */
  open(x: unknown, sender: string): string[] {
    const dot = typeof x === 'string' ? x.indexOf('.') : -1;
    if (dot < 0) throw new UnreadableBusMessage('it is not in a known format');
    const text = x as string;
    const id = text.slice(0, dot);
    const key = this.byId.get(id);
    if (key === undefined) {
      // A key id is a name, not a secret: it tells the operator which key this instance lacks.
      throw new UnreadableBusMessage(
        id === HASH_KEY_ID
          ? 'it was sealed with a hashKeys secret, and this L2 has encrypt.keys'
          : `it was sealed with key "${id}", which is not in this L2's encrypt.keys`,
      );
    }
    const bytes = Buffer.from(text.slice(dot + 1), 'base64');
    if (bytes.length < IV + TAG) throw new UnreadableBusMessage('it is truncated');
    let plain: string;
    try {
      const d = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV));
      d.setAAD(aad(id, sender));
      d.setAuthTag(bytes.subarray(IV, IV + TAG));
      plain = Buffer.concat([d.update(bytes.subarray(IV + TAG)), d.final()]).toString('utf8');
    } catch {
      throw new UnreadableBusMessage('it failed authentication (tampered, or sealed with another secret)');
    }
    const keys: unknown = JSON.parse(plain);
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
      throw new UnreadableBusMessage('it holds no key list');
    }
    return keys as string[];
  }
}

/** The seal of a two-tier store's bus over `l2`: the L2's message keys, or none (names in clear). */
export function busSealOf(l2: CacheStore): BusSeal | undefined {
  const keys = messageKeysOf(l2);
  return keys ? new BusSeal(keys) : undefined;
}

function aad(keyId: string, sender: string): Buffer {
  return Buffer.from(`${keyId}\u0000${sender}`);
}
