/** A source of wall-clock time in epoch milliseconds. Tests swap it for a manual clock. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
