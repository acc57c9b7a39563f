// Loads nestjs-cachekit from its TypeScript sources (compiled on the fly by @swc-node/register),
// so the benchmark always measures the working tree, not a stale build.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The project's tsconfig (decorators) whatever the working directory.
process.env.SWC_NODE_PROJECT ??= new URL('../../tsconfig.json', import.meta.url).pathname;
require('@swc-node/register');

/** The public API (`src/index.ts`). */
// BENCH_CACHEKIT_SRC points at another copy of src/ (to measure a proposed change side by side).
const src = process.env.BENCH_CACHEKIT_SRC ?? new URL('../../src', import.meta.url).pathname;
export const ck = require(`${src}/index.ts`);
/** Built-in driver names that exist in this tree (redis, file, tiered land as they are written). */
export const drivers = Object.keys(require(`${src}/config/built-in-drivers.ts`).builtInDrivers);
export const hasDriver = (name) => drivers.includes(name);

/** `nestjs-cachekit/otel` and `nestjs-cachekit/prometheus`, for the events group. */
export const ckOtel = () => require(`${src}/otel/index.ts`);
export const ckPrometheus = () => require(`${src}/prometheus/index.ts`);
