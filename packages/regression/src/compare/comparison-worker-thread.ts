/**
 * The entry of one comparison thread started by `startComparisonWorkers`: a comparer of its own, with
 * the suite, a pool to the capture store and a bus consuming the run's work items. It reports to the
 * main thread: started (or failed, with the error), results recorded (every 100 ms), its warnings and
 * errors, and stopped.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type Bus, createBus, type Transport } from '@switchyard/bus';
import { connectPostgres, PostgresTransport, type SqlClient } from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import pino from 'pino';
import { PostgresCaptureStore } from '../store/postgres-capture-store.ts';
import { loadRegressionSuite } from '../suite/load-regression-suite.ts';
import { comparisonEndpoint } from './comparison-endpoint.ts';
import type {
  ComparisonThreadCommand,
  ComparisonThreadReport,
  ComparisonWorkerData,
  ThreadError,
} from './comparison-workers.ts';
import { reconcilersComparer } from './reconciler-comparer.ts';

const port = parentPort;
if (!port) throw new Error('comparison-worker-thread.ts runs as a worker thread of startComparisonWorkers');
const data = workerData as ComparisonWorkerData;
const report = (message: ComparisonThreadReport) => port.postMessage(message);
const name = `switchyard-regression-compare-${data.index}`;
// Warnings and errors go to the main thread's logger; below that, a thread has nothing to say.
const logger = pino(
  { level: 'warn', base: { worker: data.index } },
  { write: (line: string) => report({ kind: 'log', line }) },
);

const clients: SqlClient[] = [];
let bus: Bus | undefined;
let started = false;
let unreported = 0;
let stopRequested = false;
let stopping: Promise<void> | undefined;

const flush = () => {
  if (unreported === 0) return;
  report({ kind: 'compared', recorded: unreported });
  unreported = 0;
};
const ticker = setInterval(flush, 100);

// Listening from the start: a stop sent while the thread is still starting is kept for when it has.
port.on('message', (command: ComparisonThreadCommand) => {
  if (command.kind !== 'stop') return;
  stopRequested = true;
  // While starting, the start finishes first and then stops.
  if (started) void stop();
});

async function stop(): Promise<void> {
  stopping ??= (async () => {
    try {
      // The bus lets items in hand finish and leaves the rest queued for other comparers.
      await bus?.stop();
    } catch (error) {
      // A bus that never started has nothing to report on stopping: its start's error was reported.
      if (started) logger.error({ err: error }, 'regression: stopping a comparison thread failed');
    }
    for (const client of clients) await client.close().catch(() => {});
    clearInterval(ticker);
    flush();
    report({ kind: 'stopped' });
    port?.close();
  })();
  return stopping;
}

function threadError(error: unknown): ThreadError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      code: typeof code === 'string' ? code : undefined,
      stack: error.stack,
    };
  }
  return { name: 'Error', message: String(error), code: undefined, stack: undefined };
}

function transportFor(storeClient: SqlClient): Transport {
  const { transport, concurrency } = data;
  if (transport.kind === 'rabbitmq')
    return new RabbitMqTransport({ url: transport.url, connectionName: name, logger });
  let client = storeClient;
  if (transport.url !== data.store.url) {
    client = connectPostgres({ url: transport.url, maxConnections: concurrency + 2, applicationName: name });
    clients.push(client);
  }
  return new PostgresTransport(client, { schema: transport.schema, logger });
}

try {
  const suite = await loadRegressionSuite(data.suite);
  // One connection per group in hand, and a spare for the transport and the odd query.
  const sql = connectPostgres({
    url: data.store.url,
    maxConnections: data.concurrency + 2,
    applicationName: name,
  });
  clients.push(sql);
  const store = new PostgresCaptureStore(sql, { schema: data.store.schema });
  bus = createBus({
    transport: transportFor(sql),
    logger,
    endpoints: [
      comparisonEndpoint({
        store,
        compare: reconcilersComparer(suite.reconcilers),
        name: data.endpoint,
        concurrency: data.concurrency,
        onCompared: (_group, recorded) => {
          unreported += recorded;
        },
      }),
    ],
  });
  await bus.start();
  started = true;
  report({ kind: 'started' });
  if (stopRequested) await stop();
} catch (error) {
  report({ kind: 'failed', error: threadError(error) });
  await stop();
}
