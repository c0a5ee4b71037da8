import type { TransportMessage } from '../transport/transport.ts';

/** A message on its way out: published to an exchange or sent to a queue, possibly delayed. */
export interface OutgoingMessage {
  readonly kind: 'publish' | 'send';
  /** The exchange (publish) or queue (send) name. */
  readonly destination: string;
  readonly message: TransportMessage;
  readonly delayMs?: number | undefined;
  /** Messages of one conversation leave in the order they were added. */
  readonly conversationId?: string | undefined;
}

/** An outgoing message stored in the outbox. */
export interface OutboxEntry extends OutgoingMessage {
  /** Increases in the order entries were added (a UUIDv7). */
  readonly id: string;
  readonly createdAt: Date;
}

/**
 * The transactional outbox: messages a handler publishes or sends are stored in the same transaction
 * as its state changes, then dispatched after commit. Entries added are leased to the adder for
 * `leaseMs` so it can dispatch them at once; a sweeper claims those whose lease ran out (the adder
 * crashed) and delivers them. The adder's lease counts from commit.
 *
 * Delivery is at least once: a holder whose lease ran out before it called `markDelivered` may see
 * the entry delivered by another claimer too. Leases carry no owner token yet, so a late `release`
 * can free an entry that someone else holds; keep leases well above dispatch times.
 */
export interface Outbox<Tx> {
  /** Stores the messages inside `tx`, leased to the caller for `leaseMs`; returns the stored entries. */
  add(tx: Tx, messages: readonly OutgoingMessage[], leaseMs: number): Promise<OutboxEntry[]>;
  /**
   * Claims up to `limit` undelivered entries whose lease has expired (or that never had one), leasing
   * them for `leaseMs`, oldest first. Within a conversation, an entry is claimed only together with, or
   * after the delivery of, every earlier entry of that conversation.
   */
  claim(limit: number, leaseMs: number): Promise<OutboxEntry[]>;
  /** Marks entries delivered; they are no longer claimed. */
  markDelivered(ids: readonly string[]): Promise<void>;
  /** Ends the lease on entries that could not be delivered, so they are claimed again. */
  release(ids: readonly string[]): Promise<void>;
  /** Deletes delivered entries created before `before`; returns how many. */
  removeDeliveredOlderThan(before: Date): Promise<number>;
  /** How many entries are not yet delivered. */
  pendingCount(): Promise<number>;
}
