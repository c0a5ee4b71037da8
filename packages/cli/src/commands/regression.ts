import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Bus, createBus, MemoryBroker, MemoryTransport, type Transport } from '@switchyard/bus';
import { migrate, PostgresTransport, type SqlClient } from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import {
  buildRunReport,
  type CaptureEnvironment,
  type CaptureStore,
  type ComparisonWorkers,
  capturedMessages,
  compareRun,
  comparisonEndpoint,
  evaluateControlTotals,
  exitCodeOf,
  formatLiveRate,
  formatProgress,
  LiveMismatchRate,
  learnRunNoise,
  loadRegressionSuite,
  type NoiseModel,
  PostgresCaptureStore,
  PostgresTransportCapture,
  progressBar,
  RabbitMqCapture,
  type RegressionSuite,
  reconcilersComparer,
  regressionMigrations,
  renderHtml,
  renderJson,
  renderJUnit,
  renderTerminal,
  replayCaptured,
  SettledGroupDispatcher,
  type SettleRule,
  startComparisonWorkers,
  type TransportCapture,
} from '@switchyard/regression';
import { switchyardFileFromPackageJson } from '../app-loader.ts';
import type { CommandContext } from '../command-context.ts';
import { CliError, exitCodes } from '../exit-codes.ts';
import { pause, stopSignal } from '../stop-signal.ts';
import type { Terminal } from './slots.ts';

/** Options every `yard regression` command takes. */
export interface RegressionCommonOptions {
  readonly run: string;
  /** The module exporting `suite`; default the `switchyard.regression` field of package.json. */
  readonly suite?: string;
}

const environments: readonly CaptureEnvironment[] = ['baseline', 'candidate', 'baseline-2'];
/** How often a capture or a live run prints its figures. */
const refreshMs = 2_000;

/** `yard regression capture`: a tap on one environment until Ctrl-C, its counts every two seconds. */
export async function regressionCapture(
  context: CommandContext,
  options: RegressionCommonOptions & { environment: string; from?: string },
  terminal: Terminal,
): Promise<number> {
  const environment = environmentOf(options.environment);
  return withRegression(context, options, async ({ store, suite, sql }) => {
    const from = options.from ?? rabbitMqUrlOf(context);
    const common = {
      run: options.run,
      environment,
      exchanges: suite.exchanges,
      ...(suite.groupKey ? { keyOf: suite.groupKey } : {}),
      logger: context.logger,
    };
    // Without a broker, the environment is the app's own PostgreSQL transport, in the same database.
    const tap: TransportCapture =
      from === undefined
        ? new PostgresTransportCapture(sql, store, common)
        : new RabbitMqCapture(store, { ...common, url: from });
    await tap.start();
    context.output.note(
      `Capturing ${suite.exchanges.length} message ${suite.exchanges.length === 1 ? 'type' : 'types'} of ${environment} into run ${options.run} (queue ${tap.queue}); Ctrl-C to stop.`,
    );
    const stop = stopSignal(terminal.signal);
    try {
      while (!stop.signal.aborted) {
        await pause(refreshMs, stop.signal);
        const summary = await store.summary(options.run);
        context.output.note(
          `${new Date().toISOString()} ${environment}: ${summary.messages[environment]} messages, ${summary.groups} groups in the run, ${summary.malformed} malformed`,
        );
      }
    } finally {
      stop.release();
      // What the queue still holds is written before the tap stops; the queue stays for the next capture.
      await tap.drain({ timeoutMs: 30_000 }).catch(() => {});
      await tap.stop();
    }
    return exitCodes.ok;
  });
}

/**
 * `yard regression run`: compares a run's settled groups with the suite's reconcilers. Batch (default):
 * until every group is compared, with a progress bar, then the report; exits 5 when anything differs.
 * `--live`: a continuous shadow, dispatching groups as they settle and printing the running mismatch
 * rate until Ctrl-C.
 */
export async function regressionRun(
  context: CommandContext,
  options: RegressionCommonOptions & {
    workers?: number;
    live?: boolean;
    noise?: boolean;
    again?: boolean;
    quietMs?: number;
    maxWaitMs?: number;
    junit?: string;
    html?: string;
    report?: string;
  },
  terminal: Terminal,
): Promise<number> {
  return withRegression(context, options, async ({ store, suite, suiteFile, storeUrl, schema }) => {
    const rule: Omit<SettleRule, 'now'> = {
      ...suite.settle,
      ...(options.quietMs === undefined ? {} : { quietMs: options.quietMs }),
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
      limit: 500,
    };
    const broker = rabbitMqUrlOf(context);
    const workers = options.workers ?? 0;
    if (workers > 0 && (broker === undefined || storeUrl === undefined)) {
      throw new CliError(
        '--workers needs RabbitMQ (RABBITMQ_URL) for the work items and a PostgreSQL server (DATABASE_URL) for the capture store: threads cannot share an embedded database',
        exitCodes.usage,
      );
    }
    if (options.noise && workers > 0) {
      throw new CliError(
        '--noise compares in this process (the threads load the suite, not the learnt noise): leave out --workers',
        exitCodes.usage,
      );
    }
    // Work items travel on the broker, where comparers on other machines may take a share too; an
    // embedded run compares in this process.
    const transport: Transport =
      broker === undefined
        ? new MemoryTransport(new MemoryBroker())
        : new RabbitMqTransport({
            url: broker,
            connectionName: 'yard regression run',
            logger: context.logger,
          });
    if (options.again) {
      const dropped = await store.resetComparisons(options.run);
      context.output.note(
        `Comparing run ${options.run} again: ${dropped} earlier results dropped, its captures kept`,
      );
    }
    let noise: NoiseModel | undefined;
    if (options.noise) {
      const learnt = await learnRunNoise(store, options.run, suite.reconcilers, {
        ...(suite.groupKey ? { keyOf: suite.groupKey } : {}),
      });
      if (learnt.groups === 0) {
        throw new CliError(
          `--noise learns from a second baseline, and run "${options.run}" has none: capture one with --environment baseline-2`,
          exitCodes.usage,
        );
      }
      noise = learnt.model;
      context.output.note(
        `Noise learnt from ${learnt.groups} groups of the second baseline: ${learnt.model.paths.map((each) => `${each.reconciler}: ${each.path}`).join(', ') || 'nothing differs'}`,
      );
    }
    const compare = reconcilersComparer(suite.reconcilers, noise ? { noise } : {});
    const bus = createBus({
      transport,
      logger: context.logger,
      endpoints: workers > 0 ? [] : [comparisonEndpoint({ store, compare })],
    });
    let threads: ComparisonWorkers | undefined;
    await bus.start();
    try {
      if (workers > 0 && broker !== undefined && storeUrl !== undefined) {
        threads = await startComparisonWorkers({
          workers,
          suite: suiteFile,
          store: { url: storeUrl, schema },
          transport: { kind: 'rabbitmq', url: broker },
          logger: context.logger,
        });
        context.output.note(`${workers} comparison threads started`);
      }
      return options.live
        ? await liveRun(context, bus, store, options.run, rule, terminal)
        : await batchRun(context, bus, store, suite, options, rule, terminal);
    } finally {
      await threads?.stop();
      await bus.stop();
    }
  });
}

async function batchRun(
  context: CommandContext,
  bus: Bus,
  store: CaptureStore,
  suite: RegressionSuite,
  options: RegressionCommonOptions & { junit?: string; html?: string; report?: string },
  rule: Omit<SettleRule, 'now'>,
  terminal: Terminal,
): Promise<number> {
  if ((await store.summary(options.run)).groups === 0) {
    throw new CliError(
      `Run "${options.run}" captured nothing: no such run in the store (capture it first with yard regression capture)`,
      exitCodes.notFound,
    );
  }
  const tty = (terminal.stderr as { isTTY?: boolean }).isTTY === true;
  let lastPrinted = 0;
  const summary = await compareRun({
    bus,
    store,
    run: options.run,
    rule,
    logger: context.logger,
    onProgress: (progress) => {
      // On a terminal the bar redraws in place; in a log a line every ten seconds is enough.
      if (tty) terminal.stderr.write(`\r${progressBar(progress)} ${formatProgress(progress)}\x1b[K`);
      else if (Date.now() - lastPrinted >= 10_000) {
        lastPrinted = Date.now();
        terminal.stderr.write(`${progressBar(progress)} ${formatProgress(progress)}\n`);
      }
    },
  });
  if (tty) terminal.stderr.write(`\r${progressBar(summary)} ${formatProgress(summary)}\x1b[K\n`);
  const report = await buildRunReport(store, options.run);
  const totals = suite.controlTotals.length > 0 ? await controlTotalsOf(store, suite, options.run) : [];
  const totalsDiffer = totals.some((each) => each.outcome === 'mismatch');
  if (context.output.json) context.output.result({ report, controlTotals: totals });
  else {
    context.output.note(renderTerminal(report));
    for (const total of totals.filter((each) => each.outcome === 'mismatch')) {
      context.output.note(
        `control total ${total.total} [${total.bucket}]: baseline ${total.baseline}, candidate ${total.candidate} (difference ${total.difference})`,
      );
    }
  }
  await writeReports(context, report, options);
  return exitCodeOf(report) === 0 && !totalsDiffer ? exitCodes.ok : exitCodes.differences;
}

async function liveRun(
  context: CommandContext,
  bus: Bus,
  store: CaptureStore,
  run: string,
  rule: Omit<SettleRule, 'now'>,
  terminal: Terminal,
): Promise<number> {
  const dispatcher = new SettledGroupDispatcher({ bus, store, run, rule, logger: context.logger });
  const rate = new LiveMismatchRate(store, run);
  const stop = stopSignal(terminal.signal);
  await dispatcher.start();
  context.output.note(`Live comparison of run ${run}: groups are compared as they settle; Ctrl-C to stop.`);
  let last = await rate.poll();
  try {
    while (!stop.signal.aborted) {
      await pause(refreshMs, stop.signal);
      last = await rate.poll();
      context.output.note(`${new Date().toISOString()} ${formatLiveRate(last)}`);
    }
  } finally {
    stop.release();
    await dispatcher.stop();
  }
  last = await rate.poll();
  if (context.output.json) context.output.result(last);
  else context.output.note(`Stopped. ${formatLiveRate(last)}`);
  return last.failing === 0 ? exitCodes.ok : exitCodes.differences;
}

/** `yard regression replay`: an environment's captured stream of a run, published into another. */
export async function regressionReplay(
  context: CommandContext,
  options: RegressionCommonOptions & { environment: string; into?: string },
): Promise<number> {
  const environment = environmentOf(options.environment);
  return withRegression(context, options, async ({ store, sql }) => {
    const into = options.into ?? rabbitMqUrlOf(context);
    const transport: Transport =
      into === undefined
        ? new PostgresTransport(sql, { logger: context.logger })
        : new RabbitMqTransport({
            url: into,
            connectionName: 'yard regression replay',
            logger: context.logger,
          });
    await transport.start();
    try {
      const replayed = await replayCaptured({ store, run: options.run, environment, into: transport });
      if (replayed === 0) {
        throw new CliError(
          `Run "${options.run}" has no captured ${environment} messages to replay: check the run and the environment`,
          exitCodes.notFound,
        );
      }
      if (context.output.json) context.output.result({ run: options.run, environment, replayed });
      else context.output.note(`Replayed ${replayed} ${environment} messages of run ${options.run}`);
      return exitCodes.ok;
    } finally {
      await transport.close();
    }
  });
}

/** `yard regression report`: a compared run's report, in the terminal or as JSON, JUnit XML or HTML. */
export async function regressionReport(
  context: CommandContext,
  options: RegressionCommonOptions & { format: string; out?: string },
): Promise<number> {
  const renderers: Record<string, (report: Awaited<ReturnType<typeof buildRunReport>>) => string> = {
    terminal: renderTerminal,
    json: renderJson,
    junit: renderJUnit,
    html: renderHtml,
  };
  const render = renderers[options.format];
  if (!render) {
    throw new CliError(
      `--format must be one of ${Object.keys(renderers).join(', ')}, not "${options.format}"`,
      exitCodes.usage,
    );
  }
  return withRegression(
    context,
    options,
    async ({ store }) => {
      const report = await buildRunReport(store, options.run);
      if (report.summary.groups === 0) {
        throw new CliError(
          `Run "${options.run}" captured nothing: no such run in the store`,
          exitCodes.notFound,
        );
      }
      const text = render(report);
      if (options.out) {
        await writeFile(resolve(options.out), text);
        context.output.note(
          `Wrote ${options.format} report of run ${options.run} to ${resolve(options.out)}`,
        );
      } else context.output.note(text);
      return exitCodeOf(report) === 0 ? exitCodes.ok : exitCodes.differences;
    },
    { needsSuite: false },
  );
}

interface RegressionTools {
  readonly store: CaptureStore;
  readonly sql: SqlClient;
  readonly suite: RegressionSuite;
  readonly suiteFile: string;
  /** The store's PostgreSQL URL; undefined when it is embedded. */
  readonly storeUrl: string | undefined;
  readonly schema: string;
}

/**
 * Opens the capture store (the app's database, DATABASE_URL or the embedded one, in schema
 * `switchyard_regression`, migrated on first use) and loads the suite, for `work`.
 */
async function withRegression(
  context: CommandContext,
  options: RegressionCommonOptions,
  work: (tools: RegressionTools) => Promise<number>,
  { needsSuite = true }: { needsSuite?: boolean } = {},
): Promise<number> {
  if (options.run.trim() === '') throw new CliError('--run must name a run', exitCodes.usage);
  const suiteFile = options.suite ?? switchyardFileFromPackageJson(context.cwd, 'regression');
  let suite: RegressionSuite | undefined;
  if (needsSuite) {
    if (!suiteFile) {
      throw new CliError(
        'No regression suite: pass --suite <file>, or add "switchyard": { "regression": "<file>" } to package.json',
        exitCodes.usage,
      );
    }
    try {
      suite = await loadRegressionSuite(suiteFile, context.cwd);
    } catch (error) {
      throw new CliError(error instanceof Error ? error.message : String(error), exitCodes.usage);
    }
  }
  return context.withDatabase(async (sql) => {
    const migrations = await regressionMigrations();
    await migrate(sql, migrations);
    const store = new PostgresCaptureStore(sql, { schema: migrations.schema });
    return work({
      store,
      sql,
      // Only `report` goes without a suite, and it reads no field of it.
      suite: suite as RegressionSuite,
      suiteFile: suiteFile === undefined ? '' : resolve(context.cwd, suiteFile),
      storeUrl: context.config.database.url,
      schema: migrations.schema,
    });
  });
}

async function writeReports(
  context: CommandContext,
  report: Awaited<ReturnType<typeof buildRunReport>>,
  files: { junit?: string; html?: string; report?: string },
): Promise<void> {
  const outputs: [string | undefined, string, () => string][] = [
    [files.junit, 'JUnit XML', () => renderJUnit(report)],
    [files.html, 'HTML', () => renderHtml(report)],
    [files.report, 'JSON', () => renderJson(report)],
  ];
  for (const [file, kind, render] of outputs) {
    if (file === undefined) continue;
    const path = resolve(context.cwd, file);
    await writeFile(path, render());
    context.output.info(`${kind} report: ${path}`);
  }
}

/** The suite's control totals over the whole run: every captured message of both sides, a page at a time. */
async function controlTotalsOf(store: CaptureStore, suite: RegressionSuite, run: string) {
  async function* captured() {
    yield* capturedMessages(store, run, 'baseline');
    yield* capturedMessages(store, run, 'candidate');
  }
  return evaluateControlTotals(suite.controlTotals, captured());
}

function environmentOf(text: string): CaptureEnvironment {
  if ((environments as readonly string[]).includes(text)) return text as CaptureEnvironment;
  throw new CliError(
    `--environment must be one of ${environments.join(', ')}, not "${text}"`,
    exitCodes.usage,
  );
}

function rabbitMqUrlOf(context: CommandContext): string | undefined {
  return context.config.transport.kind === 'rabbitmq' ? context.config.transport.url : undefined;
}
