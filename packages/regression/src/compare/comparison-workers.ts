import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import pino from 'pino';
import { ComparisonWorkersError } from '../regression-errors.ts';

/** Where the work items travel: the run's broker, or the PostgreSQL transport's tables. */
export type ComparisonWorkersTransport =
  | { readonly kind: 'rabbitmq'; readonly url: string }
  | {
      readonly kind: 'postgres';
      readonly url: string /** Default `switchyard`. */;
      readonly schema?: string;
    };

export interface ComparisonWorkersOptions {
  /** How many threads compare at once (one or more). */
  readonly workers: number;
  /** The module exporting the run's `suite` (a file path, relative to the working directory, or a file URL). */
  readonly suite: string;
  /** The capture store: a PostgreSQL server every thread opens its own pool to. */
  readonly store: { readonly url: string; readonly schema?: string };
  readonly transport: ComparisonWorkersTransport;
  /** The comparers' endpoint (default `switchyard.regression.compare`). */
  readonly endpoint?: string;
  /** Groups compared at once by each thread (default 8). */
  readonly concurrency?: number;
  /** Gets the threads' warnings and errors, and a thread that dies. Default: silent. */
  readonly logger?: Logger;
}

/** Running comparison threads. */
export interface ComparisonWorkers {
  readonly workers: number;
  /** Results newly recorded by all threads so far (a redelivered group records none); reported every 100 ms. */
  compared(): number;
  /** The same, per thread, in the order the threads were started. */
  comparedByWorker(): readonly number[];
  /** Stops every thread's bus (items in hand finish; the rest stay queued), closes its pools, ends it. */
  stop(): Promise<void>;
}

/** What the main thread hands each comparison thread. */
export interface ComparisonWorkerData {
  readonly index: number;
  readonly suite: string;
  readonly store: { readonly url: string; readonly schema?: string };
  readonly transport: ComparisonWorkersTransport;
  readonly endpoint: string | undefined;
  readonly concurrency: number;
}

/** An error as a thread reports it: errors lose their class and own fields when posted between threads. */
export interface ThreadError {
  readonly name: string;
  readonly message: string;
  readonly code: string | undefined;
  readonly stack: string | undefined;
}

/** What a comparison thread tells the main thread. */
export type ComparisonThreadReport =
  | { readonly kind: 'started' }
  | { readonly kind: 'failed'; readonly error: ThreadError }
  | { readonly kind: 'compared'; readonly recorded: number }
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'stopped' };

/** What the main thread tells a comparison thread. */
export type ComparisonThreadCommand = { readonly kind: 'stop' };

const threadEntry = new URL('./comparison-worker-thread.ts', import.meta.url);
const postgresUrl = /^postgres(ql)?:\/\//i;
/** How long a thread that reported it stopped may take to end before it is terminated. */
const exitGraceMs = 5_000;

/**
 * Starts `workers` threads on this machine, each a comparer of its own: it loads the suite, opens a
 * pool to the capture store and consumes the run's work items from the bus, so threads compete for
 * them as processes on other machines do. Resolves once every thread's bus has started; a thread that
 * cannot start rejects the whole start with its error, and the others are stopped. A thread that dies
 * later is logged; the broker gives its unacknowledged items to the others.
 */
export async function startComparisonWorkers(options: ComparisonWorkersOptions): Promise<ComparisonWorkers> {
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new ComparisonWorkersError(
      `Comparison workers: workers must be a whole number of at least 1, not ${options.workers}`,
    );
  }
  // PGlite lives inside one thread's memory: threads sharing it would each open a database of their own.
  if (!postgresUrl.test(options.store.url)) {
    throw new ComparisonWorkersError(
      `Comparison workers need a PostgreSQL server as the capture store (postgres://...), not "${options.store.url.replace(/\/\/[^@/]*@/, '//***@')}": an embedded PGlite store cannot be shared by threads; compare in this thread with comparisonEndpoint instead`,
    );
  }
  const logger = options.logger ?? pino({ enabled: false });
  const threads = Array.from({ length: options.workers }, (_, index) =>
    startThread(
      {
        index,
        suite: options.suite,
        store: options.store,
        transport: options.transport,
        endpoint: options.endpoint,
        concurrency: options.concurrency ?? 8,
      },
      logger,
    ),
  );
  const started = await Promise.allSettled(threads.map((thread) => thread.started));
  const failed = started.find((each) => each.status === 'rejected');
  if (failed) {
    await Promise.all(threads.map((thread) => thread.stop()));
    throw failed.reason;
  }
  return {
    workers: threads.length,
    compared: () => threads.reduce((sum, thread) => sum + thread.recorded(), 0),
    comparedByWorker: () => threads.map((thread) => thread.recorded()),
    stop: async () => {
      await Promise.all(threads.map((thread) => thread.stop()));
    },
  };
}

interface RunningThread {
  readonly started: Promise<void>;
  recorded(): number;
  stop(): Promise<void>;
}

function startThread(data: ComparisonWorkerData, logger: Logger): RunningThread {
  const worker = new Worker(threadEntry, {
    workerData: data,
    name: `switchyard-regression-compare-${data.index}`,
  });
  let recorded = 0;
  let stopping = false;
  let failedToStart = false;
  let resolveStarted: () => void = () => {};
  let rejectStarted: (error: Error) => void = () => {};
  const started = new Promise<void>((resolve, reject) => {
    resolveStarted = resolve;
    rejectStarted = reject;
  });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  worker.on('message', (report: ComparisonThreadReport) => {
    if (report.kind === 'started') resolveStarted();
    else if (report.kind === 'failed') {
      failedToStart = true;
      rejectStarted(errorFrom(report.error));
    } else if (report.kind === 'compared') recorded += report.recorded;
    else if (report.kind === 'log') relayLog(logger, report.line);
    // Done and closed: a handle left open by a library would keep the thread alive for nothing.
    else if (report.kind === 'stopped') setTimeout(() => void worker.terminate(), exitGraceMs).unref();
  });
  worker.on('error', (error) => {
    rejectStarted(error);
    logger.error({ err: error, worker: data.index }, 'regression: a comparison thread failed');
  });
  void exited.then((code) => {
    rejectStarted(new Error(`comparison thread ${data.index} exited (${code}) before it started`));
    if (!stopping && !failedToStart) {
      logger.error(
        { worker: data.index, exitCode: code },
        'regression: a comparison thread ended unexpectedly; the broker redelivers its unacknowledged work items',
      );
    }
  });
  return {
    started,
    recorded: () => recorded,
    async stop() {
      stopping = true;
      // A thread still starting gets the command once its port is read; one that has gone ignores it.
      worker.postMessage({ kind: 'stop' } satisfies ComparisonThreadCommand);
      await exited;
    },
  };
}

function errorFrom(reported: ThreadError): Error {
  const error = new Error(reported.message);
  error.name = reported.name;
  if (reported.stack) error.stack = reported.stack;
  if (reported.code !== undefined) Object.assign(error, { code: reported.code });
  return error;
}

/** A thread's pino line (JSON) logged again here, at its level, with its fields. */
function relayLog(logger: Logger, line: string): void {
  try {
    const { level, msg, ...fields } = JSON.parse(line) as { level?: number; msg?: string };
    const message = msg ?? 'regression: comparison thread';
    if ((level ?? 50) >= 50) logger.error(fields, message);
    else logger.warn(fields, message);
  } catch {
    logger.warn({ line }, 'regression: comparison thread');
  }
}
