/** The middle value (the upper middle for an even count): what the benchmarks report of their rounds. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
}

/** One path's median rate (messages, events or transactions a second) over the rounds, and each round's. */
export interface PathRate {
  readonly name: string;
  readonly perSecond: number;
  readonly rounds: readonly number[];
}

/** The value below which `p` percent of the values lie. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `count` tasks with at most `limit` at once, as a client with `limit` requests in flight. */
export async function runConcurrently(
  count: number,
  limit: number,
  task: (index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/**
 * Starts `total` operations at `rate` a second, in 10 ms ticks, without waiting for earlier ones to
 * finish; resolves when all have, with the rate actually achieved.
 */
export async function atFixedRate(
  rate: number,
  total: number,
  start: () => Promise<unknown>,
): Promise<number> {
  const perTick = rate / 100;
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 10 + 1) * perTick));
    while (sent < due) {
      pending.push(start());
      sent += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(pending);
  return total / ((performance.now() - started) / 1000);
}

/**
 * A promise settled once `tick` was called `count` times, or by `fail` first (a lost connection),
 * or when no tick came for `stallMs`: a broker or database restarted under a round can leave a
 * client that never reconnects (as @node-ts/bus-rabbitmq does), and the round would wait forever.
 */
export function countdown(
  count: number,
  stallMs = 60_000,
): {
  tick: () => void;
  fail: (error: Error) => void;
  finished: Promise<void>;
} {
  let left = count;
  let lastTick = performance.now();
  let done: () => void = () => {};
  let reject: (error: Error) => void = () => {};
  const finished = new Promise<void>((resolve, rejectWith) => {
    done = resolve;
    reject = rejectWith;
  });
  // Failed while nobody waits for it yet (the sends failed first): not an unhandled rejection.
  finished.catch(() => {});
  const watchdog = setInterval(() => {
    if (performance.now() - lastTick > stallMs) {
      reject(
        new Error(`nothing handled for ${stallMs / 1000} s, ${left} of ${count} messages still expected`),
      );
    }
  }, 1_000);
  void finished.finally(() => clearInterval(watchdog)).catch(() => {});
  return {
    tick: () => {
      lastTick = performance.now();
      if (--left === 0) done();
    },
    fail: reject,
    finished,
  };
}
