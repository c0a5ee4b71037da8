/**
 * Shadow regression of message streams: a tap per environment captures its output messages
 * (`RabbitMqCapture`, `PostgresTransportCapture`) into a capture store (`PostgresCaptureStore`, on
 * PostgreSQL or embedded PGlite); messages are grouped per correlation ID; a group settles when both
 * sides are complete, quiet, or waited for long enough; settled groups travel as work items on the bus
 * to comparers (`comparisonEndpoint`), any number of them, which record one result per group and
 * reconciler; `compareRun` runs a batch to its end.
 *
 * ```ts
 * import { createBus, MemoryBroker, MemoryTransport } from '@switchyard/bus';
 * import { migrate, openPglite } from '@switchyard/postgres';
 * import { comparisonEndpoint, compareRun, PostgresCaptureStore, regressionMigrations } from '@switchyard/regression';
 *
 * const sql = await openPglite();
 * await migrate(sql, await regressionMigrations());
 * const store = new PostgresCaptureStore(sql);
 * // What two taps would have captured: one invoice per order, from the baseline and from the candidate.
 * const invoice = (environment: 'baseline' | 'candidate', orderId: string, amountMinor: number) => ({
 *   run: 'r-1', environment, messageId: `${environment}-${orderId}`, correlationId: orderId, conversationId: undefined,
 *   messageType: 'urn:message:shop:InvoiceIssued', sentTime: new Date().toISOString(), capturedAt: new Date().toISOString(),
 *   message: { orderId, amountMinor }, headers: {},
 * });
 * await store.append([invoice('baseline', 'o-1', 250), invoice('candidate', 'o-1', 250), invoice('baseline', 'o-2', 990), invoice('candidate', 'o-2', 1000)]);
 * const bus = createBus({
 *   transport: new MemoryTransport(new MemoryBroker()),
 *   endpoints: [
 *     comparisonEndpoint({
 *       store,
 *       compare: async (group) => {
 *         const amount = (side: typeof group.baseline) => (side[0]?.message as { amountMinor: number }).amountMinor;
 *         const same = amount(group.baseline) === amount(group.candidate);
 *         return [{ reconciler: 'invoice amount', outcome: { kind: same ? 'match' : 'mismatch' } }];
 *       },
 *     }),
 *   ],
 * });
 * await bus.start();
 * const summary = await compareRun({ bus, store, run: 'r-1', rule: { quietMs: 0, maxWaitMs: 60_000, limit: 100 } });
 * console.log(`${summary.compared} groups compared: ${summary.byOutcome.match} match, ${summary.byOutcome.mismatch} mismatch`);
 * await bus.stop();
 * await sql.close();
 * ```
 */

export type { CaptureOptions } from './capture/capture-options.ts';
export { captureQueueName, captureTopology } from './capture/capture-queue-name.ts';
export { type CaptureSource, capturedMessageFrom } from './capture/captured-envelope.ts';
export {
  PostgresTransportCapture,
  type PostgresTransportCaptureOptions,
} from './capture/postgres-transport-capture.ts';
export { RabbitMqCapture, type RabbitMqCaptureOptions } from './capture/rabbitmq-capture.ts';
export { type CaptureQueueAccess, TransportCapture } from './capture/transport-capture.ts';
export type { CapturedMessage, CaptureEnvironment, Side } from './captured-message.ts';
export { CompareGroup, defaultComparisonEndpoint } from './compare/compare-group.ts';
export { type CompareRunOptions, compareRun } from './compare/compare-run.ts';
export {
  type ComparisonEndpointOptions,
  comparisonEndpoint,
  type GroupComparer,
  type GroupResult,
  noReconciler,
} from './compare/comparison-endpoint.ts';
export {
  SettledGroupDispatcher,
  type SettledGroupDispatcherOptions,
} from './compare/settled-group-dispatcher.ts';
export {
  CaptureUnreadableError,
  ReconcilerDefinitionError,
  RunUnfinishedError,
} from './regression-errors.ts';
export {
  type AppendReport,
  type CaptureStore,
  type ComparisonResult,
  defaultGroupKey,
  type GroupKeyOf,
  type GroupMessages,
  type MalformedCapture,
  type ResultPage,
  type RunSummary,
  type SettledGroup,
  type SettledReason,
  type SettleRule,
  type StoredMalformedCapture,
} from './store/capture-store.ts';
export { PostgresCaptureStore, type PostgresCaptureStoreOptions } from './store/postgres-capture-store.ts';
export { defaultRegressionSchema, regressionMigrations } from './store/regression-migrations.ts';
