import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connectPostgres } from '@switchyard/postgres';
import { type ListeningProcess, startListeningProcess } from '@switchyard/testing';
import { BusinessTraffic } from '../faults/business-traffic.ts';
import { checkLedger, describeLedger, type LedgerResult } from '../faults/effect-ledger.ts';

/** The ledger in a few words: what was owed, what was lost and what happened twice. */
export function ledgerSummary(ledger: LedgerResult): string {
  const owed = ledger.effects.map((each) => `${each.expected} ${each.name}`).join(', ');
  const problems = describeLedger(ledger);
  return `Effect ledger: ${owed}; ${ledger.lost} lost, ${ledger.duplicated} duplicated${problems ? `\n${problems}` : ''}`;
}

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, '..', '..', 'src', 'main.ts');
const yardBin = join(here, '..', '..', '..', '..', 'packages', 'cli', 'src', 'bin', 'yard.ts');
const projectRoot = join(here, '..', '..', '..', '..');

/** The services that run in slots: the operations profile's modules. */
export const slottedServices = ['deliveries', 'billing'] as const;

/** What a reference run printed and found. */
export interface SlotsReferenceResult {
  readonly statusBefore: string;
  readonly switchOutput: Record<string, { code: number; output: string }>;
  readonly statusAfter: string;
  readonly ledger: LedgerResult;
  /** Customers whose journey the traffic completed, and how many of their requests were sent again. */
  readonly customers: number;
  readonly retriedRequests: number;
}

export interface SlotsReferenceOptions {
  readonly databaseUrl: string;
  readonly vhostUrl: string;
  /** Customers going through the business (default 40); the switch happens after `switchAfter` of them started. */
  readonly customers?: number;
  readonly switchAfter?: number;
  /** Receives each part as it happens, for a person watching (the script prints it). */
  readonly print?: (text: string) => void;
}

/**
 * The reference system in slots: milkround's storefront in one process, its operations (deliveries
 * and billing) in slots blue and green, each its own process, on PostgreSQL and RabbitMQ, each
 * operations process reconciling. Customers go through the business (join, order, delivery, complaint)
 * while `yard slots switch` moves both services from blue to green; `yard slots status` is printed
 * before and after, and the effect ledger checks every accepted request took effect exactly once.
 */
export async function runSlotsReference(options: SlotsReferenceOptions): Promise<SlotsReferenceResult> {
  const print = options.print ?? (() => {});
  const directory = await mkdtemp(join(tmpdir(), 'milkround-slots-'));
  const desiredState = join(directory, 'slots.yaml');
  await writeFile(
    desiredState,
    `# Which slot is live per service; yard slots switch rewrites it.\nservices:\n${slottedServices.map((service) => `  ${service}:\n    live: blue\n`).join('')}`,
  );
  const common = {
    DATABASE_URL: options.databaseUrl,
    RABBITMQ_URL: options.vhostUrl,
    SWITCHYARD_SEED__DEMO_DATA: 'false',
    SWITCHYARD_LOG__FORMAT: 'json',
    SWITCHYARD_SLOTS__DESIRED_STATE: desiredState,
  };
  const processes: ListeningProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const started = await startListeningProcess(main, {
      env: { ...common, SWITCHYARD_HTTP__PORT: '0', ...env },
    });
    processes.push(started);
    return started;
  };
  const yard = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [yardBin, ...args], {
        cwd: projectRoot,
        env: { PATH: process.env.PATH ?? '', ...common, NO_COLOR: '1' },
        timeout: 300_000,
      });
      return { code: 0, output: `${stdout}${stderr}`.trim() };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`.trim() };
    }
  };
  const sql = connectPostgres({
    url: options.databaseUrl,
    maxConnections: 2,
    applicationName: 'slots-ledger',
  });
  try {
    // One after the other: each migrates the shared schemas at start.
    const storefront = await start({ SWITCHYARD_PROFILE: 'storefront' });
    const operations: Record<string, ListeningProcess> = {};
    for (const slot of ['blue', 'green']) {
      operations[slot] = await start({
        SWITCHYARD_PROFILE: 'operations',
        SWITCHYARD_SLOT: slot,
        SWITCHYARD_SLOTS__RECONCILE: 'true',
      });
    }
    const statusBefore = (await yard('slots', 'status')).output;
    print(`yard slots status (before)\n${statusBefore}\n`);

    const deliveryDate = new Date(Date.now() + 3 * 86_400_000);
    const weekday = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][deliveryDate.getUTCDay()] ?? 'mon';
    const customers = options.customers ?? 40;
    const cohort = `s${Date.now().toString(36)}`;
    // Drivers' phones and runs talk to operations over HTTP; both slots serve it, and blue is the one they know.
    const blueOperations = operations.blue as ListeningProcess;
    const traffic = new BusinessTraffic(
      { url: (profile) => (profile === 'storefront' ? storefront.url : blueOperations.url) },
      {
        cohort,
        deliveryDate: deliveryDate.toISOString().slice(0, 10),
        weekdays: [weekday],
        customers,
        intervalMs: 150,
      },
    );
    traffic.start();
    const switchAfterMs = (options.switchAfter ?? Math.floor(customers / 3)) * 150;
    await new Promise((resolve) => setTimeout(resolve, switchAfterMs));
    const switchOutput: Record<string, { code: number; output: string }> = {};
    for (const service of slottedServices) {
      print(`yard slots switch ${service} --to green --no-wait`);
      switchOutput[service] = await yard('slots', 'switch', service, '--to', 'green', '--no-wait');
      print(`${switchOutput[service]?.output}\n`);
    }
    await traffic.finished();
    const ledger = await checkLedger(sql, {
      cohort,
      deliveryDate: deliveryDate.toISOString().slice(0, 10),
      accepted: traffic.accepted,
    });
    print(`${ledgerSummary(ledger)}\n`);
    // Blue keeps serving what it began; once the customers are through, each service's blue drains.
    // Both are waited for: the status after is read once neither holds work (billing alone was, and
    // deliveries' blue was once caught still holding its last message).
    for (const service of slottedServices) {
      const drain = await yard('slots', 'switch', service, '--to', 'green', '--timeout', '2m');
      print(`yard slots switch ${service} --to green (waits for blue to drain)\n${drain.output}\n`);
    }
    const statusAfter = (await yard('slots', 'status')).output;
    print(`yard slots status (after)\n${statusAfter}\n`);
    return {
      statusBefore,
      switchOutput,
      statusAfter,
      ledger,
      customers,
      retriedRequests: traffic.failedAttempts,
    };
  } finally {
    for (const each of processes.reverse()) {
      each.child.kill('SIGTERM');
      if (each.child.exitCode === null && each.child.signalCode === null) await once(each.child, 'exit');
    }
    await sql.close();
    await rm(directory, { recursive: true, force: true });
  }
}
