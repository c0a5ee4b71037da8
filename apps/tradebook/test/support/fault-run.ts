import { setTimeout as sleep } from 'node:timers/promises';
import type { Bus } from '@switchyard/bus';
import {
  CoreUnavailableError,
  defaultAccounts,
  type LedgerAudit,
  LegacyCoreClient,
  readLedger,
} from '@switchyard/legacy-core';
import type { SqlExecutor } from '@switchyard/postgres';
import { type FeedReport, type GeneratedTrade, TradeFeed } from '../../src/index.ts';
import { checkLedger, finalVersion, type LedgerCheck } from './expected-ledger.ts';

/**
 * The parts of a long run against a faulty core that both of its set-ups share (tradebook as its own
 * process on the servers, or embedded in the test): the feed with the batch window switched on and off
 * while it runs, the wait for the ledger to come right, and what booking's journal says it did.
 */

export interface TradeSummary {
  readonly booked: number;
  readonly cancelled: number;
  readonly openExceptions: number;
}

/**
 * Sends `CTRL|BATCH|<mode>` to the core. The client logs on to send it, and the core may be at its
 * session limit (tradebook holds every session it allows, and asks for one more): try again until a
 * session is free.
 */
export async function switchBatch(core: { host: string; port: number }, mode: 'ON' | 'OFF'): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new LegacyCoreClient({
      host: core.host,
      port: core.port,
      maxSessions: 1,
      timeoutMs: 2_000,
    });
    try {
      await client.control('BATCH', mode);
      return;
    } catch (error) {
      if (!(error instanceof CoreUnavailableError) || Date.now() > deadline) throw error;
    } finally {
      // Gives the session back at once: kept, it would take one of the few the core allows.
      await client.close();
    }
    await sleep(25);
  }
}

export interface FeedRun {
  readonly report: FeedReport;
  readonly trades: GeneratedTrade[];
  /** When the batch window was switched on and off again, in ms since the feed started. */
  readonly batchWindow: { readonly onAt: number; readonly offAt: number };
}

/**
 * Feeds `trades` trades as fast as `ratePerSecond`, and `batchAfterMs` into the run switches the core's
 * batch window on for `batchForMs`, then off again, while postings are being sent.
 */
export async function feedWithBatchWindow(options: {
  readonly bus: Bus;
  readonly core: { host: string; port: number };
  readonly prefix: string;
  readonly trades: number;
  readonly ratePerSecond: number;
  readonly seed: number;
  readonly batchAfterMs: number;
  readonly batchForMs: number;
}): Promise<FeedRun> {
  const trades: GeneratedTrade[] = [];
  const started = Date.now();
  const batchWindow = (async () => {
    await sleep(options.batchAfterMs);
    await switchBatch(options.core, 'ON');
    const onAt = Date.now() - started;
    await sleep(options.batchForMs);
    await switchBatch(options.core, 'OFF');
    return { onAt, offAt: Date.now() - started };
  })();
  const report = await new TradeFeed(options.bus, {
    prefix: options.prefix,
    accounts: defaultAccounts.filter((account) => account !== '90000001'),
    trades: options.trades,
    ratePerSecond: options.ratePerSecond,
    seed: options.seed,
    duplicateShare: 0.1,
    onTrade: (trade) => trades.push(trade),
  }).run();
  return { report, trades, batchWindow: await batchWindow };
}

export async function tradeSummary(url: string): Promise<TradeSummary> {
  return (await (await fetch(`${url}/trades/summary`)).json()) as TradeSummary;
}

export interface Settled {
  readonly ledger: LedgerAudit;
  readonly check: LedgerCheck;
  readonly summary: TradeSummary;
  /** True when it came right; false when nothing changed for `quietMs` or the deadline passed. */
  readonly converged: boolean;
}

/**
 * Waits until the core's ledger is exactly what the trades want and every trade is decided (booked,
 * cancelled or in an exception), or until nothing moved for `quietMs` (a trade stuck), or `deadline`.
 */
export async function waitUntilSettled(options: {
  readonly url: string;
  readonly journalPath: string;
  readonly trades: readonly GeneratedTrade[];
  readonly deadline: number;
  readonly quietMs: number;
  readonly progress?: (text: string) => void;
}): Promise<Settled> {
  let lastChange = Date.now();
  let lastSeen = '';
  let lastReported = 0;
  for (;;) {
    const ledger = readLedger(options.journalPath);
    const summary = await tradeSummary(options.url);
    const decided = summary.booked + summary.cancelled + summary.openExceptions;
    const seen = `${ledger.postings.length} ${summary.booked} ${summary.cancelled} ${summary.openExceptions}`;
    if (seen !== lastSeen) {
      lastSeen = seen;
      lastChange = Date.now();
    }
    const settling = decided >= options.trades.length;
    // Worked out only once the summary says all are decided: before that the ledger cannot be right.
    const check = settling ? checkLedger(options.trades, ledger) : undefined;
    if (check && check.problems.length === 0) return { ledger, check, summary, converged: true };
    const now = Date.now();
    if (now - lastChange > options.quietMs || now > options.deadline) {
      return { ledger, check: check ?? checkLedger(options.trades, ledger), summary, converged: false };
    }
    if (now - lastReported > 15_000) {
      lastReported = now;
      options.progress?.(
        `${ledger.postings.length} postings in the core; summary ${JSON.stringify(summary)}`,
      );
    }
    await sleep(1_000);
  }
}

/**
 * Every trade as GET /trades/{id} shows it, each that is neither booked (at its final version) nor
 * cancelled, with the open exceptions: a trade stuck silently is one in the first list and not the
 * second.
 */
export async function unsettledTrades(
  url: string,
  trades: readonly GeneratedTrade[],
): Promise<{
  unsettled: { tradeId: string; state: string; version: number; wantedVersion: number }[];
  exceptions: { total: number; exceptions: { tradeId: string; kind: string; detail: string }[] };
}> {
  const unsettled: { tradeId: string; state: string; version: number; wantedVersion: number }[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < trades.length; index = next++) {
      const trade = trades[index] as GeneratedTrade;
      const response = await fetch(`${url}/trades/${encodeURIComponent(trade.tradeId)}`);
      const view =
        response.status === 404 ? undefined : ((await response.json()) as { state: string; version: number });
      const wantedState = trade.cancelled ? 'Cancelled' : 'Booked';
      const wantedVersion = finalVersion(trade);
      if (view?.state !== wantedState || (wantedState === 'Booked' && view.version !== wantedVersion)) {
        unsettled.push({
          tradeId: trade.tradeId,
          state: view?.state ?? 'unknown to tradebook',
          version: view?.version ?? 0,
          wantedVersion,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const exceptions = (await (await fetch(`${url}/trades/exceptions?limit=1000`)).json()) as {
    total: number;
    exceptions: { tradeId: string; kind: string; detail: string }[];
  };
  return { unsettled, exceptions };
}

export interface JournalFigures {
  readonly rows: number;
  /** Rows not booked at the end (they would still be in doubt, or refused). */
  readonly notBooked: string[];
  readonly enquiries: number;
  /** References enquired about at least once. */
  readonly enquired: number;
  /** Sent once, enquired about, booked: a lost reply the enquiry found. */
  readonly foundByEnquiry: number;
  /** Sent again after an enquiry (which found nothing: else it would be booked twice). */
  readonly resentAfterEnquiry: number;
  /** Sends beyond the first, for whatever reason (not sent, batch window, nothing found). */
  readonly resends: number;
  /** Booked references whose journal and ledger disagree on the sequence, or that the ledger lacks. */
  readonly disagreeing: string[];
}

/** Booking's journal (booking.posting_journal) beside the core's ledger. */
export async function journalFigures(sql: SqlExecutor, ledger: LedgerAudit): Promise<JournalFigures> {
  const { rows } = await sql.query(
    'select client_ref, state, attempts, enquiries, core_sequence from booking.posting_journal',
  );
  const sequences = new Map<string, number[]>();
  for (const posting of ledger.postings) {
    sequences.set(posting.clientReference, [
      ...(sequences.get(posting.clientReference) ?? []),
      posting.sequence,
    ]);
  }
  const notBooked: string[] = [];
  const disagreeing: string[] = [];
  let enquiries = 0;
  let enquired = 0;
  let foundByEnquiry = 0;
  let resentAfterEnquiry = 0;
  let resends = 0;
  for (const row of rows as {
    client_ref: string;
    state: string;
    attempts: number | string;
    enquiries: number | string;
    core_sequence: number | string | null;
  }[]) {
    const attempts = Number(row.attempts);
    const asked = Number(row.enquiries);
    enquiries += asked;
    resends += Math.max(0, attempts - 1);
    if (asked > 0) enquired += 1;
    if (asked > 0 && attempts === 1 && row.state === 'booked') foundByEnquiry += 1;
    if (asked > 0 && attempts > 1) resentAfterEnquiry += 1;
    if (row.state !== 'booked') notBooked.push(`${row.client_ref} ${row.state}`);
    else {
      const inLedger = sequences.get(row.client_ref) ?? [];
      if (inLedger.length !== 1 || inLedger[0] !== Number(row.core_sequence))
        disagreeing.push(
          `${row.client_ref}: journal #${row.core_sequence}, ledger ${JSON.stringify(inLedger)}`,
        );
    }
  }
  return {
    rows: rows.length,
    notBooked,
    enquiries,
    enquired,
    foundByEnquiry,
    resentAfterEnquiry,
    resends,
    disagreeing,
  };
}
