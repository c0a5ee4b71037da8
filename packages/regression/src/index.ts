/**
 * Shadow regression of message streams: a tap per environment captures its output messages
 * (`RabbitMqCapture`, `PostgresTransportCapture`) into a capture store (`PostgresCaptureStore`, on
 * PostgreSQL or embedded PGlite); messages are grouped per correlation ID; a group settles when both
 * sides are complete, quiet, or waited for long enough; settled groups travel as work items on the bus
 * to comparers (`comparisonEndpoint`), any number of them, which run the developers' reconcilers
 * (`defineReconciler`, with a toolkit of structural diffs, tolerances and unordered lists) and record
 * one result per group and reconciler; `compareRun` runs a batch to its end. Control totals
 * (`defineControlTotal`) compare aggregates; `learnNoise` learns from a second baseline what differs
 * between identical runs.
 *
 * ```ts
 * import { createBus, defineMessage, MemoryBroker, MemoryTransport } from '@switchyard/bus';
 * import { migrate, openPglite } from '@switchyard/postgres';
 * import {
 *   comparisonEndpoint, compareRun, defineReconciler, PostgresCaptureStore, reconcilersComparer, regressionMigrations,
 * } from '@switchyard/regression';
 * import { z } from 'zod';
 *
 * const InvoiceIssued = defineMessage('shop.InvoiceIssued', z.object({ orderId: z.string(), amountMinor: z.number(), issuedAt: z.string() }));
 * const invoices = defineReconciler({
 *   name: 'invoice amounts',
 *   messages: [InvoiceIssued],
 *   compare: (baseline, candidate, t) => t.diff(baseline.one(InvoiceIssued), candidate.one(InvoiceIssued), { ignore: ['issuedAt'] }),
 * });
 *
 * const sql = await openPglite();
 * await migrate(sql, await regressionMigrations());
 * const store = new PostgresCaptureStore(sql);
 * // What two taps would have captured: one invoice per order from each environment.
 * const captured = (environment: 'baseline' | 'candidate', orderId: string, amountMinor: number) => ({
 *   run: 'r-1', environment, messageId: `${environment}-${orderId}`, correlationId: orderId, conversationId: undefined,
 *   messageType: InvoiceIssued.urn, sentTime: new Date().toISOString(), capturedAt: new Date().toISOString(),
 *   message: { orderId, amountMinor, issuedAt: new Date().toISOString() }, headers: {},
 * });
 * await store.append([captured('baseline', 'o-1', 250), captured('candidate', 'o-1', 250), captured('baseline', 'o-2', 990), captured('candidate', 'o-2', 1000)]);
 * const bus = createBus({
 *   transport: new MemoryTransport(new MemoryBroker()),
 *   endpoints: [comparisonEndpoint({ store, compare: reconcilersComparer([invoices]) })],
 * });
 * await bus.start();
 * const summary = await compareRun({ bus, store, run: 'r-1', rule: { quietMs: 0, maxWaitMs: 60_000, limit: 100 } });
 * console.log(`${summary.compared} groups compared: ${summary.byOutcome.match} match, ${summary.byOutcome.mismatch} mismatch`);
 * await bus.stop();
 * await sql.close();
 * ```
 */

export type { CaptureOptions } from './capture/capture-options.ts';
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
  type ComparisonWorkers,
  type ComparisonWorkersOptions,
  type ComparisonWorkersTransport,
  startComparisonWorkers,
} from './compare/comparison-workers.ts';
export { formatLiveRate, LiveMismatchRate, type LiveRate } from './compare/live-mismatch-rate.ts';
export { reconcilersComparer } from './compare/reconciler-comparer.ts';
export {
  SettledGroupDispatcher,
  type SettledGroupDispatcherOptions,
} from './compare/settled-group-dispatcher.ts';
export {
  type BucketTotal,
  type ControlTotal,
  type ControlTotalSpec,
  ControlTotalsAccumulator,
  defineControlTotal,
  evaluateControlTotals,
} from './reconcile/control-totals.ts';
export {
  type CompareResult,
  checkReconcilers,
  defineReconciler,
  type Reconciler,
  type ReconcilerSpec,
} from './reconcile/define-reconciler.ts';
export type { Difference } from './reconcile/difference.ts';
export { type EvaluateGroupOptions, evaluateGroup } from './reconcile/evaluate-group.ts';
export type { GroupOutcome, ReconcilerOutcome } from './reconcile/group-outcome.ts';
export { learnRunNoise } from './reconcile/learn-run-noise.ts';
export { diffCounts, diffMessageLists, type ListDiffOptions } from './reconcile/message-lists.ts';
export {
  applyNoise,
  generalisePath,
  type LearnNoiseOptions,
  learnNoise,
  type NoiseModel,
  type NoiseSample,
  type NoisyPath,
} from './reconcile/noise.ts';
export { type MessageOfRef, type MessageRef, type SideView, urnOf } from './reconcile/side-view.ts';
export {
  type DiffOptions,
  diff,
  type NumericTolerance,
  type UnorderedRule,
} from './reconcile/structural-diff.ts';
export { type Toolkit, toolkit } from './reconcile/toolkit.ts';
export {
  CaptureNotDrainedError,
  CaptureUnreadableError,
  ComparisonWorkersError,
  ReconcilerDefinitionError,
  RegressionSuiteError,
  RunUnfinishedError,
} from './regression-errors.ts';
export { type ReplayOptions, replayCaptured } from './replay/replay-captured.ts';
export { type BuildRunReportOptions, buildRunReport, unknownMessageType } from './report/build-run-report.ts';
export { exitCodeOf, isPassingKind } from './report/exit-code.ts';
export { formatProgress, progressBar } from './report/format-progress.ts';
export { renderHtml } from './report/render-html.ts';
export { renderJson } from './report/render-json.ts';
export { renderJUnit } from './report/render-junit.ts';
export { renderTerminal } from './report/render-terminal.ts';
export type {
  DifferenceExample,
  DifferencePathReport,
  FailedGroup,
  LatencyReport,
  MessageTypeMismatches,
  ReconcilerErrorReport,
  ReconcilerReport,
  RunReport,
  RunReportLimits,
  TimeBucket,
} from './report/run-report.ts';
export {
  type AppendReport,
  type CapturedPage,
  type CaptureStore,
  type ComparisonResult,
  defaultGroupKey,
  type GroupKeyOf,
  type GroupMessages,
  type MalformedCapture,
  type MessageTypeLatency,
  type ResultPage,
  type RunSummary,
  type SettledGroup,
  type SettledReason,
  type SettleRule,
  type SideLatency,
  type StoredMalformedCapture,
} from './store/capture-store.ts';
export { capturedMessages } from './store/captured-messages.ts';
export { PostgresCaptureStore, type PostgresCaptureStoreOptions } from './store/postgres-capture-store.ts';
export { defaultRegressionSchema, regressionMigrations } from './store/regression-migrations.ts';
export {
  defineRegressionSuite,
  isRegressionSuite,
  type RegressionSuite,
  type RegressionSuiteSpec,
  type SuiteSettleRule,
} from './suite/define-regression-suite.ts';
export { loadRegressionSuite } from './suite/load-regression-suite.ts';
export { captureQueueName, captureTopology } from './topology/capture-topology.ts';
