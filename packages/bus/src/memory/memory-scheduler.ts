import { ConfigurationError } from '../errors.ts';
import type { ScheduledMessage, Scheduler } from '../ports/scheduler.ts';
import { assertTransactionOf, MemoryDatabase, type MemoryTransaction } from './memory-database.ts';
import { copyOutgoing } from './memory-outbox.ts';

/** Options for `MemoryScheduler`. */
export interface MemorySchedulerOptions {
  /** The clock (ms since the epoch); default `Date.now`. */
  readonly now?: () => number;
  /** How long after a failed delivery the message is tried again (default 1000 ms). */
  readonly retryDelayMs?: number;
  /**
   * The longest the scheduler sleeps between looks at the store (default 1000 ms). It wakes on time for
   * what it scheduled itself; this bounds how late it notices messages scheduled by another instance
   * on the same database, or a clock that was moved.
   */
  readonly pollIntervalMs?: number;
}

/** A scheduled message as the store keeps it. Replacing a message puts a new slot in its place. */
interface Slot {
  readonly message: ScheduledMessage;
  /** When to try next (ms): the due time, then later after each failed delivery. */
  attemptAt: number;
  /** Some instance is delivering it now; nobody else may. */
  firing: boolean;
}

/**
 * The scheduler on a `MemoryDatabase`: instances on one database share their messages, so one can
 * fire what another scheduled, and each message fires on one of them only. Lost when the process ends.
 */
export class MemoryScheduler implements Scheduler<MemoryTransaction> {
  readonly #database: MemoryDatabase;
  readonly #slots: Map<string, Slot>;
  readonly #now: () => number;
  readonly #retryDelayMs: number;
  readonly #pollIntervalMs: number;
  #deliver: ((message: ScheduledMessage) => Promise<void>) | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #deliveries = new Set<Promise<void>>();

  constructor(database: MemoryDatabase = new MemoryDatabase(), options: MemorySchedulerOptions = {}) {
    this.#database = database;
    this.#slots = database.table('scheduler', () => new Map<string, Slot>());
    this.#now = options.now ?? Date.now;
    this.#retryDelayMs = duration('retryDelayMs', options.retryDelayMs ?? 1000, 0);
    this.#pollIntervalMs = duration('pollIntervalMs', options.pollIntervalMs ?? 1000, 1);
  }

  async schedule(message: ScheduledMessage, tx?: MemoryTransaction): Promise<void> {
    const dueAt = message.dueAt.getTime();
    if (Number.isNaN(dueAt)) throw new RangeError(`Scheduled message ${message.id} has an invalid dueAt`);
    const slot: Slot = {
      message: { id: message.id, dueAt: new Date(dueAt), outgoing: copyOutgoing(message.outgoing) },
      attemptAt: dueAt,
      firing: false,
    };
    if (tx === undefined) {
      this.#slots.set(message.id, slot);
      this.#wake();
      return;
    }
    assertTransactionOf(this.#database, tx, 'MemoryScheduler');
    tx.stage(this.#slots).set(message.id, slot);
    tx.onCommit(() => this.#wake());
  }

  async cancel(id: string, tx?: MemoryTransaction): Promise<boolean> {
    if (tx !== undefined) assertTransactionOf(this.#database, tx, 'MemoryScheduler');
    const slots = tx === undefined ? this.#slots : tx.stage(this.#slots);
    const slot = slots.get(id);
    // A message being delivered may already have taken effect, so it counts as fired.
    if (slot === undefined || slot.firing) return false;
    slots.delete(id);
    return true;
  }

  async start(deliver: (message: ScheduledMessage) => Promise<void>): Promise<void> {
    if (this.#deliver)
      throw new Error('MemoryScheduler is already started; stop it before starting it again');
    this.#deliver = deliver;
    this.#wake();
  }

  async stop(): Promise<void> {
    this.#deliver = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled(this.#deliveries);
  }

  async pending(): Promise<ScheduledMessage[]> {
    return [...this.#slots.values()]
      .map((slot) => slot.message)
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || byText(a.id, b.id))
      .map(copyScheduled);
  }

  /** Sets the timer for the next message to try, or for the next look at the store if that is sooner. */
  #wake(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#deliver) return;
    let next = Number.POSITIVE_INFINITY;
    for (const slot of this.#slots.values()) if (!slot.firing && slot.attemptAt < next) next = slot.attemptAt;
    const delay = Math.min(this.#pollIntervalMs, Math.max(0, next - this.#now()));
    this.#timer = setTimeout(() => this.#fireDue(), delay);
  }

  #fireDue(): void {
    const deliver = this.#deliver;
    if (!deliver) return;
    const now = this.#now();
    for (const slot of this.#slots.values()) {
      if (!slot.firing && slot.attemptAt <= now) this.#fire(slot, deliver);
    }
    this.#wake();
  }

  #fire(slot: Slot, deliver: (message: ScheduledMessage) => Promise<void>): void {
    slot.firing = true;
    const delivery = (async () => {
      try {
        await deliver(copyScheduled(slot.message));
        // A message scheduled again under the same id while this one was delivered stays.
        if (this.#slots.get(slot.message.id) === slot) this.#slots.delete(slot.message.id);
      } catch {
        // The port promises a later retry; reporting the failure is the deliver function's business.
        slot.attemptAt = this.#now() + this.#retryDelayMs;
        slot.firing = false;
      }
    })();
    this.#deliveries.add(delivery);
    void delivery.finally(() => {
      this.#deliveries.delete(delivery);
      this.#wake();
    });
  }
}

function copyScheduled(message: ScheduledMessage): ScheduledMessage {
  return { id: message.id, dueAt: new Date(message.dueAt), outgoing: copyOutgoing(message.outgoing) };
}

function byText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function duration(name: string, value: number, minimum: number): number {
  if (!Number.isFinite(value) || value < minimum) {
    throw new ConfigurationError(
      `MemoryScheduler ${name} must be a finite number of milliseconds of at least ${minimum}, not ${value}`,
    );
  }
  return value;
}
