import { bounded, redactSecrets } from '@switchyard/host';
import { Command, CommanderError, Option } from 'commander';
import { loadApp } from './app-loader.ts';
import { commandContext, type GlobalOptions } from './command-context.ts';
import { addAppCommands } from './commands/app-commands.ts';
import { listErrors, purgeErrors, retryErrors, showError } from './commands/errors.ts';
import { migrateCommand } from './commands/migrate.ts';
import {
  regressionCapture,
  regressionReplay,
  regressionReport,
  regressionRun,
} from './commands/regression.ts';
import { showSaga } from './commands/saga.ts';
import {
  defaultDrainTimeout,
  slotsCanary,
  slotsPlan,
  slotsReconcile,
  slotsRollback,
  slotsStatus,
  slotsSwitch,
} from './commands/slots.ts';
import { startCommand } from './commands/start.ts';
import { topologyCommand } from './commands/topology.ts';
import { CliError, exitCodes } from './exit-codes.ts';
import { explainFailure } from './failure-messages.ts';
import { outputFor } from './output.ts';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Ends a `--watch` command as SIGINT or SIGTERM does (default: only those signals). */
  readonly signal?: AbortSignal;
}

/** Runs `yard` with `args` (without the node and script paths); resolves with the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = exitCodes.ok;
  const program = new Command('yard')
    .description("Switchyard's command line")
    .addOption(new Option('--app <file>', 'the application module (exports `app`)'))
    .addOption(new Option('--config <file>', 'a JSON or YAML configuration file'))
    .addOption(new Option('--profile <name>', 'the deployment profile: which modules'))
    .addOption(new Option('--json', 'machine-readable output on stdout'))
    .addOption(new Option('--verbose', 'library logs on stderr'))
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  const run =
    (work: (context: Awaited<ReturnType<typeof commandContext>>) => Promise<number>) => async () => {
      const options = program.opts<GlobalOptions>();
      const output = outputFor(options.json ?? false, io.stdout, io.stderr);
      const context = await commandContext(options, { env: io.env, cwd: io.cwd, output });
      exitCode = await work(context);
    };

  program
    .command('start')
    .description('run the app (its profile) until SIGTERM or SIGINT')
    .action(run((context) => startCommand(context)));
  program
    .command('migrate')
    .description("apply Switchyard's and the modules' database migrations")
    .action(run((context) => migrateCommand(context)));
  const topology = program.command('topology').description("the broker topology the app's endpoints need");
  topology
    .command('plan')
    .description('what apply would create, change or remove')
    .action(run((context) => topologyCommand(context, 'plan', {})));
  topology
    .command('apply')
    .description('create and change what the plan says (destructive changes need --force)')
    .option('--force', 'also make destructive changes, such as a queue type change')
    .action((options: { force?: boolean }) => run((context) => topologyCommand(context, 'apply', options))());
  const errors = program.command('errors').description('inspect, retry and purge error queues');
  errors
    .command('list <queue>')
    .description('the messages at the front of an error queue, with their faults')
    .option('--limit <n>', 'how many', '50')
    .action((queue: string, options: { limit: string }) =>
      run((context) => listErrors(context, queue, positiveInteger(options.limit, '--limit')))(),
    );
  errors
    .command('show <queue> <messageId>')
    .description('one message: its fault, headers and body')
    .action((queue: string, messageId: string) => run((context) => showError(context, queue, messageId))());
  errors
    .command('retry <queue> [messageIds...]')
    .description('move messages back to the queues they failed on')
    .option('--all', 'every message in the queue')
    .action((queue: string, messageIds: string[], options: { all?: boolean }) =>
      run((context) => retryErrors(context, queue, messageIds, options))(),
    );
  errors
    .command('purge <queue>')
    .description('delete every message in an error queue')
    .option('--yes', 'confirm')
    .action((queue: string, options: { yes?: boolean }) =>
      run((context) => purgeErrors(context, queue, options))(),
    );
  program
    .command('saga')
    .description('saga instances')
    .command('show <sagaType> <idOrKey>')
    .description('state, data and timeline of a saga, by id or by key=value')
    .action((sagaType: string, key: string) => run((context) => showSaga(context, sagaType, key))());

  addSlotsCommands(program, run, io);
  addRegressionCommands(program, run, io);

  try {
    const app = await appWithCommands(args, io);
    if (app) addAppCommands(program, app, run);
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; anything else commander refuses is a usage error.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    // Messages are ours as often as a driver's or the app's, which may quote a connection string.
    const explained = explainFailure(error);
    if (explained) {
      io.stderr.write(`${printable(explained.message)}\n`);
      return explained.exitCode;
    }
    io.stderr.write(`${printable(error instanceof Error ? error.message : String(error))}\n`);
    return exitCodes.failed;
  }
}

/**
 * The app named on the command line, in SWITCHYARD_APP or in package.json, when it adds commands of
 * its own. Loaded before the command line is parsed, since its commands are part of it; an app that
 * cannot be found or loaded adds none here, and a command that needs it says why.
 */
async function appWithCommands(args: readonly string[], io: CliIo) {
  const index = args.findIndex((arg) => arg === '--app' || arg.startsWith('--app='));
  const flag = index < 0 ? undefined : args[index];
  const given = flag?.startsWith('--app=')
    ? flag.slice('--app='.length)
    : index < 0
      ? undefined
      : args[index + 1];
  try {
    const app = await loadApp(given, io.env, io.cwd);
    return app.commands && app.commands.length > 0 ? app : undefined;
  } catch {
    return undefined;
  }
}

type Run = (
  work: (context: Awaited<ReturnType<typeof commandContext>>) => Promise<number>,
) => () => Promise<void>;

/** `yard slots …`: blue/green slots of the app's services (see @switchyard/slots). */
function addSlotsCommands(program: Command, run: Run, io: CliIo): void {
  const terminal = { stdout: io.stdout, stderr: io.stderr, signal: io.signal };
  const slots = program
    .command('slots')
    .description(
      'blue/green slots: which slot of each service is live, switch, roll back, canary (slots.desiredState, RabbitMQ)',
    );
  slots
    .command('status [service]')
    .description('each slot: live or canary, version, queue depth, consumers, open conversations, drained')
    .option('--watch', 'redraw every 2 s until Ctrl-C')
    .action((service: string | undefined, options: { watch?: boolean }) =>
      run((context) => slotsStatus(context, service, options, terminal))(),
    );
  slots
    .command('plan')
    .description('what the reconciler would change on the broker now; changes nothing')
    .action(run((context) => slotsPlan(context)));
  slots
    .command('reconcile')
    .description(
      'converge the routing to the desired state once (--watch: every slots.intervalMs until Ctrl-C)',
    )
    .option('--watch', 'keep reconciling until SIGINT or SIGTERM')
    .action((options: { watch?: boolean }) => run((context) => slotsReconcile(context, options, terminal))());
  const drainOptions = (command: Command) =>
    command
      .option(
        '--timeout <duration>',
        'how long to wait for the old slot to drain (e.g. 30s, 5m); exit 4 if it has not',
        defaultDrainTimeout,
      )
      .option('--no-wait', 'apply and exit without waiting for the old slot to drain');
  drainOptions(
    slots
      .command('switch <service>')
      .description('make a slot live (it must have consumers), then wait for the old one to drain')
      .requiredOption('--to <slot>', 'the slot to make live'),
  ).action((service: string, options: { to: string; timeout: string; wait: boolean }) =>
    run((context) => slotsSwitch(context, service, options, terminal))(),
  );
  drainOptions(
    slots
      .command('rollback <service>')
      .description('make the slot live before the last switch live again, then wait for the other to drain'),
  ).action((service: string, options: { timeout: string; wait: boolean }) =>
    run((context) => slotsRollback(context, service, options, terminal))(),
  );
  slots
    .command('canary <service>')
    .description('send a share of new conversations to a slot; --percent 0 ends the canary')
    .requiredOption('--slot <slot>', 'the canary slot')
    .requiredOption('--percent <n>', 'whole percent of new conversations, 0 to 99')
    .action((service: string, options: { slot: string; percent: string }) =>
      run((context) => slotsCanary(context, service, options))(),
    );
}

/** `yard regression …`: shadow regression of two environments (see @switchyard/regression). */
function addRegressionCommands(program: Command, run: Run, io: CliIo): void {
  const terminal = { stdout: io.stdout, stderr: io.stderr, signal: io.signal };
  const regression = program
    .command('regression')
    .description(
      "shadow regression: capture two environments' output messages, compare them per group with the suite's reconcilers, report (store: the app's database)",
    );
  const common = (command: Command) =>
    command
      .requiredOption('--run <name>', 'the run: what its taps captured and its comparisons are kept under')
      .option(
        '--suite <file>',
        'the module exporting `suite` (default: "switchyard.regression" in package.json)',
      );
  common(
    regression
      .command('capture')
      .description(
        "a tap on one environment's output messages until Ctrl-C (the queue keeps what arrives meanwhile)",
      ),
  )
    .requiredOption(
      '--environment <side>',
      'baseline, candidate or baseline-2 (a second baseline, for noise)',
    )
    .option(
      '--from <amqp-url>',
      "the environment's RabbitMQ URL with its vhost (default: the app's transport)",
    )
    .action((options: { run: string; suite?: string; environment: string; from?: string }) =>
      run((context) => regressionCapture(context, options, terminal))(),
    );
  common(
    regression
      .command('run')
      .description(
        'compare the settled groups of a run and report; exit 5 when anything differs (--live: until Ctrl-C)',
      ),
  )
    .option(
      '--workers <n>',
      'comparison threads in this process (RabbitMQ and PostgreSQL); default: compare in the main thread',
    )
    .option(
      '--live',
      'a continuous shadow: compare groups as they settle and print the running mismatch rate',
    )
    .option(
      '--noise',
      'learn what differs between the baseline and a second baseline (baseline-2) first, and leave it out',
    )
    .option(
      '--again',
      'compare the run again (newer reconcilers, learnt noise): drops its results, keeps its captures',
    )
    .option('--quiet-ms <ms>', "a group settles after this long without a new message (default: the suite's)")
    .option(
      '--max-wait-ms <ms>',
      "a group settles this long after its first message whatever else (default: the suite's)",
    )
    .option('--junit <file>', 'also write the report as JUnit XML')
    .option('--html <file>', 'also write the report as one HTML page')
    .option('--report <file>', 'also write the report as JSON')
    .action(
      (options: {
        run: string;
        suite?: string;
        workers?: string;
        live?: boolean;
        noise?: boolean;
        again?: boolean;
        quietMs?: string;
        maxWaitMs?: string;
        junit?: string;
        html?: string;
        report?: string;
      }) =>
        run((context) =>
          regressionRun(
            context,
            {
              ...options,
              workers:
                options.workers === undefined ? undefined : positiveInteger(options.workers, '--workers'),
              quietMs:
                options.quietMs === undefined ? undefined : nonNegativeInteger(options.quietMs, '--quiet-ms'),
              maxWaitMs:
                options.maxWaitMs === undefined
                  ? undefined
                  : positiveInteger(options.maxWaitMs, '--max-wait-ms'),
            },
            terminal,
          ),
        )(),
    );
  common(
    regression
      .command('replay')
      .description(
        "republish an environment's captured stream into another: new message ids, the same correlation ids",
      ),
  )
    .requiredOption('--environment <side>', 'whose captured messages: baseline, candidate or baseline-2')
    .option('--into <amqp-url>', "the environment to replay into (default: the app's transport)")
    .action((options: { run: string; suite?: string; environment: string; into?: string }) =>
      run((context) => regressionReplay(context, options))(),
    );
  common(regression.command('report').description("a compared run's report; exit 5 when anything differs"))
    .option('--format <format>', 'terminal, json, junit or html', 'terminal')
    .option('--out <file>', 'write it to a file instead of the terminal')
    .action((options: { run: string; suite?: string; format: string; out?: string }) =>
      run((context) => regressionReport(context, options))(),
    );
}

/** An error message as the terminal may show it: no secret, and not a screenful of someone's input. */
function printable(message: string): string {
  return bounded(redactSecrets(message));
}

function nonNegativeInteger(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new CliError(`${option} must be a whole number of 0 or more, got "${text}"`, exitCodes.usage);
  return value;
}

function positiveInteger(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new CliError(`${option} must be a positive integer, got "${text}"`, exitCodes.usage);
  return value;
}
