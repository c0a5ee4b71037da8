/**
 * A simulated 30-year-old core ledger, and the client other apps book through. The core speaks
 * pipe-delimited ASCII records over TCP (see the README for every record), books double-entry postings
 * with a daily sequence number into an fsync'd journal, is not idempotent (the same posting sent twice
 * books twice), is slow (lognormal latency) and, when told to, flaky: it drops connections, loses
 * replies after booking and stalls, from a seeded generator so a run can be repeated. It refuses
 * logons beyond its session limit and postings in its nightly batch window. An enquiry by client
 * reference is the only way to learn whether a posting whose reply never came was booked.
 *
 * ```ts
 * import { mkdtemp } from 'node:fs/promises';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { CoreConnectionLostError, CoreTimeoutError, LegacyCoreClient, startLegacyCore } from '@switchyard/legacy-core';
 *
 * const journalPath = join(await mkdtemp(join(tmpdir(), 'core-')), 'journal.dat');
 * const core = await startLegacyCore({ port: 0, journalPath, businessDate: '20261207', latency: { medianMs: 5 } });
 * const client = new LegacyCoreClient({ port: core.port, maxSessions: 2 });
 * const posting = {
 *   clientReference: 'ALLOC-42-1',
 *   debitAccount: '10000001',
 *   creditAccount: '90000001',
 *   amountMinor: 125_00,
 *   currency: 'GBP',
 *   valueDate: '2026-12-08',
 * };
 *
 * // Make the core lose the reply to the next posting, as it does now and then when faults are on.
 * await client.control('FAULT', 'LOST-REPLY', '1');
 * try {
 *   await client.post(posting, { timeoutMs: 1_000 });
 * } catch (error) {
 *   if (!(error instanceof CoreTimeoutError || error instanceof CoreConnectionLostError)) throw error;
 *   // Outcome unknown: enquire, never resend blind (a resend would book a second time).
 *   const booked = await client.enquire(posting.clientReference);
 *   console.log(`${error.code}: ${booked.length} booked, sequence ${booked[0]?.sequence}`);
 * }
 * const audit = await client.audit();
 * console.log(`${audit.postings.length} posting, balanced: ${audit.balanced}`);
 * await client.close();
 * await core.close();
 * ```
 */

export {
  type CallOptions,
  type ClientUsage,
  type CorePosting,
  LegacyCoreClient,
  type LegacyCoreClientOptions,
  type PostResult,
} from './client/legacy-core-client.ts';
export {
  type CoreConfig,
  type CoreConfigInput,
  coreConfigSchema,
  defaultAccounts,
  loadCoreConfig,
  parseCoreConfig,
} from './config.ts';
export {
  CoreConfigError,
  CoreConnectionLostError,
  CoreProtocolError,
  CoreTimeoutError,
  CoreUnavailableError,
  JournalCorruptError,
} from './legacy-core-problems.ts';
export { reason, status } from './protocol/records.ts';
export { type LegacyCoreProcess, spawnLegacyCore } from './server/spawn-legacy-core.ts';
export { type LegacyCore, startLegacyCore } from './server/start-legacy-core.ts';
export { readLedger } from './store/ledger.ts';
export type { BookedPosting, CurrencyTotals, LedgerAudit } from './store/ledger-model.ts';
