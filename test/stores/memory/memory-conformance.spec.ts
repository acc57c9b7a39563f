import { MemoryStore } from '../../../src';
import { describeStoreConformance } from '../../../src/testing';

describeStoreConformance('memory store', (ctx) => new MemoryStore({}, ctx.clock, ctx.name));
describeStoreConformance(
  'memory store with maxBytes',
  (ctx) => new MemoryStore({ maxBytes: 1_000_000 }, ctx.clock, ctx.name),
);
// The real clock too: lru-cache caches "now" for up to a millisecond with it (ttlResolution 1).
describeStoreConformance('memory store (real clock)', (ctx) => new MemoryStore({}, ctx.clock, ctx.name), {
  realTime: true,
});
