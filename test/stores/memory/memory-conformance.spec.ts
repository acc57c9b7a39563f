import { MemoryStore } from '../../../src';
import { describeStoreConformance } from '../../../src/testing';

describeStoreConformance('memory store', (ctx) => new MemoryStore({}, ctx.clock, ctx.name));
describeStoreConformance(
  'memory store with maxBytes',
  (ctx) => new MemoryStore({ maxBytes: 1_000_000 }, ctx.clock, ctx.name),
);
// The real clock too: reads reuse one read of it for up to a millisecond (lru-table.ts).
describeStoreConformance('memory store (real clock)', (ctx) => new MemoryStore({}, ctx.clock, ctx.name), {
  realTime: true,
});
