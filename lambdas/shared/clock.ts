/**
 * The time the functions read. In AWS it is the system clock. A runtime that runs the bundled
 * functions in its own process (the local runtime, with its virtual clock that lets hours of
 * indexing pass in seconds) may drive it by registering a time source under {@link CLOCK_SOURCE};
 * nothing here changes any global.
 */

/** Where a runtime that hosts the functions in process registers its time source (epoch ms). */
export const CLOCK_SOURCE = Symbol.for('vl-ingest.clock');

type ClockHost = { [CLOCK_SOURCE]?: () => number };

/** The current time: the registered time source, or the system clock. */
export function currentTime(): Date {
  const source = (globalThis as ClockHost)[CLOCK_SOURCE];
  return new Date(source ? source() : Date.now());
}
