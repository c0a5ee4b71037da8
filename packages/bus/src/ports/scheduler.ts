import type { OutgoingMessage } from './outbox.ts';

/** A message to deliver at a future time. */
export interface ScheduledMessage {
  /** Chosen by the caller (a UUIDv7 by default); cancelling uses it. */
  readonly id: string;
  readonly dueAt: Date;
  readonly outgoing: OutgoingMessage;
}

/**
 * Durable scheduled delivery (saga timeouts, scheduled sends). A message fires at or after its due
 * time, survives restarts where the implementation is durable, and can be cancelled until it starts
 * firing (cancel during a delivery resolves false). Firing is at least once: a crash between delivery
 * and removal fires it again, so what it delivers must be safe to receive twice (the inbox makes it so).
 */
export interface Scheduler<Tx = never> {
  /** Stores the message; with `tx`, only if that transaction commits. Scheduling an existing id replaces it. */
  schedule(message: ScheduledMessage, tx?: Tx): Promise<void>;
  /** Cancels a message not yet delivered; resolves false if there was none (or it already fired). */
  cancel(id: string, tx?: Tx): Promise<boolean>;
  /**
   * Starts firing due messages through `deliver`. A message whose delivery throws is tried again later;
   * one is removed only once `deliver` resolved for it. The scheduler does not log: `deliver` reports
   * its own failures.
   */
  start(deliver: (message: ScheduledMessage) => Promise<void>): Promise<void>;
  /** Stops firing; waits for deliveries in progress. */
  stop(): Promise<void>;
  /** Messages not yet delivered, soonest first (for tooling and tests). */
  pending(): Promise<ScheduledMessage[]>;
}
