/** Redis Cluster hash slots: CRC16-XMODEM of the key (or of its `{hash tag}`) modulo 16384. */

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let j = 0; j < 8; j++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
  TABLE[i] = crc & 0xffff;
}

/** The cluster slot of `key`, as Redis computes it (UTF-8 bytes, hash tags honoured). */
export function keySlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(0x7b /* { */);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d /* } */, open + 1);
    // An empty tag `{}` does not count: the whole key is hashed.
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc & 0x3fff;
}

/** Positions of `keys` grouped by slot, so multi-key commands never cross slots. */
export function groupBySlot(keys: readonly string[]): number[][] {
  return groupsOf(keys, keySlot);
}

/** Positions of `items` grouped by `groupOf`, in first-seen order. */
export function groupsOf<I>(items: readonly I[], groupOf: (item: I) => number | string): number[][] {
  const groups = new Map<number | string, number[]>();
  for (let i = 0; i < items.length; i++) {
    const g = groupOf(items[i]);
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  }
  return [...groups.values()];
}
