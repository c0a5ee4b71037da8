/**
 * Milliseconds on the system's monotonic clock (CLOCK_MONOTONIC behind `process.hrtime` on Linux),
 * with microsecond resolution. Unlike `performance.now()`, whose origin is each process's start, it
 * reads the same in every process on the machine, so a send time taken in one process and a handling
 * time taken in another subtract to a latency.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000n) / 1_000;
}
