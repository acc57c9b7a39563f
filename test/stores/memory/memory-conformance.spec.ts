import { MemoryStore } from '../../../src';
import { describeStoreConformance } from '../../../src/testing';

describeStoreConformance('memory store', (ctx) => new MemoryStore({}, ctx.clock, ctx.name));
describeStoreConformance(
  'memory store with maxBytes',
  (ctx) => new MemoryStore({ maxBytes: 1_000_000 }, ctx.clock, ctx.name),
);
