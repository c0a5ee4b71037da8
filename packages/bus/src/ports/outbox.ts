import type { TransportMessage } from '../transport/transport.ts';

/** A message on its way out: published to an exchange or sent to a queue, possibly delayed. */
export interface OutgoingMessage {
  readonly kind: 'publish' | 'send';
  /** The exchange (publish) or queue (send) name. */
  readonly destination: string;
  readonly message: TransportMessage;
  readonly delayMs?: number | undefined;
  /**
   * Messages of one conversation leave in the order they were added, when each transaction commits
   * before the next adds its own; two transactions that overlap have no order (neither saw the other).
   */
  readonly conversationId?: string | undefined;
}

/** An outgoing message stored in the outbox. */
export interface OutboxEntry extends OutgoingMessage {
  /** Increases in the order entries were added (a UUIDv7). */
  readonly id: string;
  readonly createdAt: Date;
}

/**
 * Entries held under one lease. `owner` is a token minted for this add or claim alone: only its holder
 * may renew the lease, release the entries or learn that it still holds them, so a holder whose lease
 * ran out cannot free or extend what another claimer took over meanwhile.
 */
export interface OutboxLease {
  readonly owner: string;
  /** The entries held, oldest first. */
  readonly entries: OutboxEntry[];
}

/** What `add` stored: the entries leased to the adder, and those it must leave to the sweeper. */
export interface AddedEntries extends OutboxLease {
  /**
   * Entries stored without a lease because their conversation already had an earlier undelivered
   * entry: sending them at once could overtake it, so they wait for the sweeper, which keeps order.
   */
  readonly heldBack: OutboxEntry[];
}

/**
 * The transactional outbox: messages a handler publishes or sends are stored in the same transaction
 * as its state changes, then dispatched after commit. Entries added are leased to the adder for
 * `leaseMs` so it can dispatch them at once; a sweeper claims those whose lease ran out (the adder
 * crashed) and delivers them.
 *
 * Every lease has an owner token, and lease times are read from one clock all processes share (the
 * database's, for a database outbox), so two holders never hold one entry at once. Delivery is still
 * at least once: a holder whose lease ran out before it called `markDelivered` may see the entry
 * delivered by the next claimer too; `renew` while sending keeps that to holders that stalled or lost
 * the database for longer than a lease.
 */
export interface Outbox<Tx> {
  /**
   * Stores the messages inside `tx`; those whose conversation has no earlier undelivered entry are
   * leased to the caller for `leaseMs` (from when they are stored), the rest are held back.
   */
  add(tx: Tx, messages: readonly OutgoingMessage[], leaseMs: number): Promise<AddedEntries>;
  /**
   * Claims up to `limit` undelivered entries whose lease has expired (or that never had one), leasing
   * them for `leaseMs`, oldest first. Within a conversation, an entry is claimed only together with, or
   * after the delivery of, every earlier entry of that conversation.
   */
  claim(limit: number, leaseMs: number): Promise<OutboxLease>;
  /**
   * Extends to `leaseMs` from now the lease `owner` holds on `ids`; returns the ids it still held (and
   * extended). An id missing from the answer was taken over by another claimer or released: stop sending it.
   */
  renew(owner: string, ids: readonly string[], leaseMs: number): Promise<string[]>;
  /**
   * Records that the transport took the entries; they are no longer claimed. They are marked whoever
   * holds them, since the send happened; returns false if `owner` no longer held one of them, which
   * tells a holder that someone else took its lease over and will send the rest.
   */
  markDelivered(owner: string, ids: readonly string[]): Promise<boolean>;
  /** Ends `owner`'s lease on entries it could not deliver, so they are claimed again; others' leases stay. */
  release(owner: string, ids: readonly string[]): Promise<void>;
  /** Deletes delivered entries created before `before`; returns how many. */
  removeDeliveredOlderThan(before: Date): Promise<number>;
  /** How many entries are not yet delivered. */
  pendingCount(): Promise<number>;
}
