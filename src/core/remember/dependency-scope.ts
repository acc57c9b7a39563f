import { AsyncLocalStorage } from 'node:async_hooks';
import { processShared } from '../process-shared';

/** Tags collected by nested `remember` calls, passed up to the enclosing one. */
export interface DependencyScope {
  tags: Record<string, string>;
}

/**
 * The scope of the `remember` load running in this async context (only once tracking started).
 * One per process, so a load started through one build of the package sees tags written through
 * the other (see process-shared.ts).
 */
export const dependencyScope = processShared('dependency-scope', () => new AsyncLocalStorage<DependencyScope>());

/**
 * Dependency tags travel up from nested `remember` calls through AsyncLocalStorage, which on
 * Node 20 hooks every promise of the process once it is used. Apps that never meet a tag do not
 * need it: tracking starts the first time this process meets one (a tagged write or flush, or a
 * tagged entry read, maybe written by another process). A load that began untracked cannot know
 * its dependencies, so if tracking started meanwhile its result is returned but not stored.
 */
const tracking = processShared('dependency-tracking', () => ({ on: false }));

/** Starts dependency tracking for the rest of this process (see {@link isTracking}). */
export function trackDependencies(): void {
  tracking.on = true;
}

/** Whether this process has met a tag yet, so that loads run inside a {@link dependencyScope}. */
export function isTracking(): boolean {
  return tracking.on;
}
