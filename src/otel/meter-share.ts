import type { Attributes, BatchObservableResult, Meter, Observable } from '@opentelemetry/api';

/** Records one observation of an observable instrument at a collection. */
export type Observe = (instrument: Observable, value: number, attributes: Attributes) => void;

/** What one instrumented manager reports when a reader collects. */
export type Collector = (observe: Observe) => void;

interface MeterShare<I> {
  instruments: I;
  observables: Observable[];
  collectors: Set<Collector>;
  callback: (result: BatchObservableResult) => void;
}

const shares = new WeakMap<Meter, MeterShare<unknown>>();

/**
 * Joins `collector` to the one batch callback of `meter`, whose observable instruments
 * (`create()`, made by the first manager on that meter) every manager on it shares. The SDK keeps
 * one value per instrument and attribute set, the last observed: two managers observing their own
 * `{ cache.store: 'memory' }` would each overwrite the other's count, so observations of one
 * attribute set are summed across managers before they reach the SDK.
 * @returns the shared instruments, and the function that leaves (the last one removes the callback)
 */
export function joinMeter<I>(
  meter: Meter,
  create: () => { instruments: I; observables: Observable[] },
  collector: Collector,
): { instruments: I; leave: () => void } {
  let share = shares.get(meter) as MeterShare<I> | undefined;
  if (share === undefined) {
    const made = create();
    const collectors = new Set<Collector>();
    const callback = (result: BatchObservableResult): void => collectAll(collectors, result);
    share = { ...made, collectors, callback };
    shares.set(meter, share);
    meter.addBatchObservableCallback(callback, made.observables);
  }
  const joined = share;
  joined.collectors.add(collector);
  return {
    instruments: joined.instruments,
    leave: () => {
      if (!joined.collectors.delete(collector) || joined.collectors.size > 0) return;
      meter.removeBatchObservableCallback(joined.callback, joined.observables);
      if (shares.get(meter) === joined) shares.delete(meter);
    },
  };
}

function collectAll(collectors: Set<Collector>, result: BatchObservableResult): void {
  if (collectors.size === 1) {
    for (const collector of collectors) collector((instrument, value, a) => result.observe(instrument, value, a));
    return;
  }
  const sums = new Map<Observable, Map<string, { value: number; attributes: Attributes }>>();
  const observe: Observe = (instrument, value, attributes) => {
    let byAttributes = sums.get(instrument);
    if (byAttributes === undefined) sums.set(instrument, (byAttributes = new Map()));
    const id = JSON.stringify(attributes);
    const known = byAttributes.get(id);
    if (known) known.value += value;
    else byAttributes.set(id, { value, attributes });
  };
  for (const collector of collectors) collector(observe);
  for (const [instrument, byAttributes] of sums) {
    for (const { value, attributes } of byAttributes.values()) result.observe(instrument, value, attributes);
  }
}
