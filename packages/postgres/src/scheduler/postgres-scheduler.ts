import { randomUUID } from 'node:crypto';
import type { ScheduledMessage, Scheduler } from '@switchyard/bus';
import { qualified } from '../sql/identifiers.ts';
import { notifyChannel } from '../sql/notify-channel.ts';
import { column } from '../sql/row-values.ts';
import type { SqlClient, SqlTransaction } from '../sql/sql-client.ts';
import {
  type ClaimedMessage,
  claimedFromRow,
  scheduledFromRow,
  scheduledRowValues,
} from './scheduled-rows.ts';
import {
  type PostgresSchedulerOptions,
  retryDelay,
  type SchedulerSettings,
  schedulerSettings,
} from './scheduler-options.ts';
import { type SchedulerStatements, schedulerStatements } from './scheduler-statements.ts';

type Deliver = (message: ScheduledMessage) => Promise<void>;

/** One start-to-stop run. Compared by identity, so work begun in a run that ended notices it. */
interface Run {
  readonly deliver: Deliver;
}

/**
 * When no row is claimable but the soonest one is already due, it is locked by another claimer or a
 * transaction in progress: look again after this long (capped by the poll interval) rather than spin.
 */
const lockedRowRetryMs = 50;

/**
 * The durable scheduler: each scheduled message is a row in `yard_scheduled`, so it survives restarts,
 * and any number of processes may run schedulers on the same schema. A due message is claimed with
 * `FOR UPDATE SKIP LOCKED` and a lease, so it fires on one process in the normal case; it is delivered
 * outside any transaction and deleted only once `deliver` resolved. The lease is renewed while the
 * delivery runs; if the process dies, the message fires again on another once the lease ran out.
 *
 * A sleeping poller wakes for the soonest row it knows of, and early through LISTEN/NOTIFY when a
 * message due sooner is scheduled (on commit, when scheduled in a transaction); it also looks at
 * least every `pollIntervalMs`, for notifications lost while a connection was down.
 */
export class PostgresScheduler implements Scheduler<SqlTransaction> {
  readonly #client: SqlClient;
  readonly #settings: SchedulerSettings;
  readonly #statements: SchedulerStatements;
  readonly #channel: string;
  #run: Run | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** When (by the clock) the timer fires; something due sooner brings it forward. */
  #wakeAt = Number.POSITIVE_INFINITY;
  #polling = false;
  #poll: Promise<void> = Promise.resolve();
  /** The soonest wake-up asked for while a poll was running, to apply once it ends. */
  #wakeAfterPoll = Number.POSITIVE_INFINITY;
  /** The last claim took all the room there was: poll again as soon as a delivery settles. */
  #backlog = false;
  readonly #deliveries = new Set<Promise<void>>();
  /** Claim tokens of deliveries in progress, each with how many of its deliveries are still running. */
  readonly #heldTokens = new Map<string, number>();
  #renewTimer: NodeJS.Timeout | undefined;

  constructor(client: SqlClient, options: PostgresSchedulerOptions = {}) {
    this.#client = client;
    this.#settings = schedulerSettings(options);
    this.#statements = schedulerStatements(qualified(this.#settings.schema, 'yard_scheduled'));
    this.#channel = notifyChannel('yard_scheduled_', this.#settings.schema);
  }

  async schedule(message: ScheduledMessage, tx?: SqlTransaction): Promise<void> {
    const values = scheduledRowValues(message);
    const dueAt = message.dueAt.getTime();
    await (tx ?? this.#client).query(this.#statements.schedule, [...values, this.#channel, String(dueAt)]);
  }

  async cancel(id: string, tx?: SqlTransaction): Promise<boolean> {
    const { rowCount } = await (tx ?? this.#client).query(this.#statements.cancel, [
      id,
      new Date(this.#settings.now()),
    ]);
    return rowCount > 0;
  }

  async start(deliver: (message: ScheduledMessage) => Promise<void>): Promise<void> {
    if (this.#run) throw new Error('PostgresScheduler is already started; stop it before starting it again');
    const run: Run = { deliver };
    this.#run = run;
    try {
      const unlisten = await this.#client.listen(this.#channel, (payload) => this.#notified(payload));
      if (this.#run !== run) {
        await unlisten();
        return;
      }
      this.#unlisten = unlisten;
      // The first look is awaited so that a missing table or an unreachable server fails start().
      await this.#pollNow(run);
    } catch (error) {
      if (this.#run === run) await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.#run = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
    const unlisten = this.#unlisten;
    this.#unlisten = undefined;
    // A poll that claimed rows after this point gives them back instead of delivering them.
    await Promise.allSettled([unlisten?.(), this.#poll]);
    await Promise.allSettled(this.#deliveries);
  }

  async pending(): Promise<ScheduledMessage[]> {
    const { rows } = await this.#client.query(this.#statements.pending);
    return rows.map(scheduledFromRow);
  }

  /** A NOTIFY from `schedule()` (here or in another process): its payload is the due time in ms. */
  #notified(payload: string): void {
    const dueAt = Number(payload);
    this.#wakeBy(Number.isFinite(dueAt) ? dueAt : this.#settings.now());
  }

  /** Makes sure the scheduler looks at the table no later than `at` (by the clock). */
  #wakeBy(at: number): void {
    const run = this.#run;
    if (!run) return;
    if (this.#polling) this.#wakeAfterPoll = Math.min(this.#wakeAfterPoll, at);
    else if (at < this.#wakeAt) this.#sleepUntil(run, at);
  }

  #sleepUntil(run: Run, at: number): void {
    if (this.#run !== run) return;
    clearTimeout(this.#timer);
    this.#wakeAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#wakeAt = Number.POSITIVE_INFINITY;
        // A failed look was already followed by a retry timer; nobody is waiting for this one's outcome.
        this.#pollNow(run).catch(() => {});
      },
      Math.max(0, at - this.#settings.now()),
    );
  }

  /** Runs one look at the table (one at a time), then sets the timer for the next. */
  #pollNow(run: Run): Promise<void> {
    if (this.#run !== run) return Promise.resolve();
    if (this.#polling) {
      this.#wakeAfterPoll = Number.NEGATIVE_INFINITY;
      return this.#poll;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
    this.#polling = true;
    this.#poll = this.#pollThenSleep(run);
    return this.#poll;
  }

  async #pollThenSleep(run: Run): Promise<void> {
    // After a failure (the server unreachable), the next try comes after the poll interval.
    let delayMs = this.#settings.pollIntervalMs;
    try {
      delayMs = await this.#claimAndFire(run);
    } finally {
      this.#polling = false;
      const wakeAfterPoll = this.#wakeAfterPoll;
      this.#wakeAfterPoll = Number.POSITIVE_INFINITY;
      // The current run, not necessarily `run`: one started again meanwhile still needs its timer.
      const current = this.#run;
      if (current) this.#sleepUntil(current, Math.min(this.#settings.now() + delayMs, wakeAfterPoll));
    }
  }

  /** Claims what is due and starts delivering it; resolves to how long to sleep before looking again. */
  async #claimAndFire(run: Run): Promise<number> {
    const { batchSize, leaseMs, pollIntervalMs } = this.#settings;
    const room = batchSize - this.#deliveries.size;
    if (room <= 0) {
      this.#backlog = true;
      return pollIntervalMs;
    }
    const now = this.#settings.now();
    const token = randomUUID();
    const { rows } = await this.#client.query(this.#statements.claim, [
      new Date(now),
      room,
      new Date(now + leaseMs),
      token,
    ]);
    if (this.#run !== run) {
      // Stopped while claiming: what was claimed goes back for this or another process to fire.
      if (rows.length > 0) await this.#client.query(this.#statements.release, [token]).catch(() => {});
      return pollIntervalMs;
    }
    const claimed = rows.map(claimedFromRow).sort(soonestFirst);
    for (const each of claimed) this.#fire(run, token, each);
    if (claimed.length === room) {
      this.#backlog = true;
      return pollIntervalMs;
    }

    const { rows: next } = await this.#client.query(this.#statements.nextAttempt);
    const nextAt = next[0] ? column.optionalTimestamp(next[0], 'next_at')?.getTime() : undefined;
    if (nextAt === undefined) return pollIntervalMs;
    const untilNext = nextAt - this.#settings.now();
    return Math.min(pollIntervalMs, untilNext > 0 ? untilNext : lockedRowRetryMs);
  }

  #fire(run: Run, token: string, claimed: ClaimedMessage): void {
    this.#hold(token);
    const delivery = this.#deliver(run.deliver, token, claimed).finally(() => {
      this.#deliveries.delete(delivery);
      this.#unhold(token);
      if (this.#backlog) {
        this.#backlog = false;
        this.#wakeBy(this.#settings.now());
      }
    });
    this.#deliveries.add(delivery);
  }

  /** Delivers one claimed message, then removes it or sets it aside for a retry. Never rejects. */
  async #deliver(deliver: Deliver, token: string, { message, attempts }: ClaimedMessage): Promise<void> {
    const { id } = message;
    try {
      await deliver(message);
    } catch {
      // The port promises a later retry; reporting the failure is the deliver function's business.
      const retryAt = this.#settings.now() + retryDelay(this.#settings, attempts);
      try {
        await this.#client.query(this.#statements.retryLater, [id, token, new Date(retryAt)]);
        this.#wakeBy(retryAt);
      } catch {
        // The row keeps its lease and is tried again once that runs out.
      }
      return;
    }
    try {
      await this.#client.query(this.#statements.complete, [id, token]);
    } catch {
      // The row keeps its lease and fires again once that runs out: delivery is at least once.
    }
  }

  /** Counts a delivery under `token`, renewing the leases of held tokens while any delivery runs. */
  #hold(token: string): void {
    this.#heldTokens.set(token, (this.#heldTokens.get(token) ?? 0) + 1);
    this.#renewTimer ??= setInterval(() => void this.#renewLeases(), this.#settings.leaseMs / 3);
  }

  #unhold(token: string): void {
    const count = (this.#heldTokens.get(token) ?? 1) - 1;
    if (count > 0) this.#heldTokens.set(token, count);
    else this.#heldTokens.delete(token);
    if (this.#heldTokens.size === 0) {
      clearInterval(this.#renewTimer);
      this.#renewTimer = undefined;
    }
  }

  async #renewLeases(): Promise<void> {
    const tokens = [...this.#heldTokens.keys()];
    if (tokens.length === 0) return;
    const leaseUntil = new Date(this.#settings.now() + this.#settings.leaseMs);
    // A failed renewal is retried at the next tick, two of which still fall within the lease.
    await this.#client.query(this.#statements.renew, [tokens, leaseUntil]).catch(() => {});
  }
}

function soonestFirst(a: ClaimedMessage, b: ClaimedMessage): number {
  const byDue = a.message.dueAt.getTime() - b.message.dueAt.getTime();
  if (byDue !== 0) return byDue;
  return a.message.id < b.message.id ? -1 : 1;
}
