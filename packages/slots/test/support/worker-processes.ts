import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlClient } from '@switchyard/postgres';

const worker = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ledger-worker.ts');

/** A ledger worker process running in a slot. */
export interface WorkerProcess {
  readonly slot: string;
  /** SIGKILL: no drain; its unacknowledged messages go back to its queue. */
  kill(): Promise<void>;
  /** SIGTERM, awaiting its exit. */
  stop(): Promise<void>;
  /** What it wrote to stderr, for a failing test's message. */
  errors(): string;
}

/** Starts a ledger worker in `slot` and waits until it consumes. */
export async function startWorker(options: {
  slot: string;
  rabbitmqUrl: string;
  databaseUrl: string;
  schema: string;
  workMs?: number;
  prefetch?: number;
}): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, [worker], {
    env: {
      ...process.env,
      RABBITMQ_URL: options.rabbitmqUrl,
      DATABASE_URL: options.databaseUrl,
      SCHEMA: options.schema,
      SLOT: options.slot,
      WORK_MS: String(options.workMs ?? 0),
      PREFETCH: String(options.prefetch ?? 32),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
      if (stdout.includes('ready')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`worker ${options.slot} exited (${code}) before ready:\n${stderr}`)),
    );
  });
  const exited = once(child, 'exit');
  return {
    slot: options.slot,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
    errors: () => stderr,
  };
}

/** The ledger the workers write, created in `schema`. */
export async function createLedger(sql: SqlClient, schema: string): Promise<void> {
  await sql.query(
    `create table ${schema}.slot_ledger (
       conversation text not null, step int not null, slot text not null, message_id text not null,
       sent_at timestamptz not null, handled_at timestamptz not null default clock_timestamp())`,
  );
}

/** What the ledger holds against what was sent: every step of every conversation exactly once. */
export interface LedgerCheck {
  readonly rows: number;
  readonly missing: number;
  readonly duplicated: number;
  /** Conversations whose steps ran in more than one slot. */
  readonly split: number;
  /** Conversations by the slot their first step ran in. */
  readonly bySlot: Record<string, number>;
}

export async function checkLedger(
  sql: SqlClient,
  schema: string,
  conversations: number,
  steps: number,
): Promise<LedgerCheck> {
  const ledger = `${schema}.slot_ledger`;
  const rows = Number((await sql.query(`select count(*)::int as n from ${ledger}`)).rows[0]?.n ?? 0);
  const distinct = Number(
    (await sql.query(`select count(*)::int as n from (select distinct conversation, step from ${ledger}) d`))
      .rows[0]?.n ?? 0,
  );
  const split = Number(
    (
      await sql.query(
        `select count(*)::int as n from (select conversation from ${ledger} group by conversation having count(distinct slot) > 1) s`,
      )
    ).rows[0]?.n ?? 0,
  );
  const bySlot: Record<string, number> = {};
  for (const row of (
    await sql.query(`select slot, count(*)::int as n from ${ledger} where step = 1 group by slot`)
  ).rows)
    bySlot[String(row.slot)] = Number(row.n);
  return { rows, missing: conversations * steps - distinct, duplicated: rows - distinct, split, bySlot };
}
