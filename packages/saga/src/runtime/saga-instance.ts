import type { SagaRecord } from '@switchyard/bus';

/** Why a message is held in an instance instead of applied. */
export type HoldReason = 'deferred' | 'parked' | 'gap';

/** A message the instance keeps until it can apply it (or its time limit passes). */
export interface HeldMessage {
  readonly messageId: string;
  readonly event: string;
  readonly reason: HoldReason;
  readonly message: unknown;
  readonly correlationId?: string | undefined;
  readonly heldAt: string;
  /** When it goes to the error queue unless applied first (absent: no limit). */
  readonly expiresAt?: string | undefined;
  /** The scheduled message that expires it, cancelled when it is applied first. */
  readonly expiryToken?: string | undefined;
}

/** What the runtime keeps beside the user's data to honour the definition's policies. */
export interface SagaBookkeeping {
  /** In arrival order; replayed in that order. */
  readonly held: HeldMessage[];
  /** The last applied sequence number per stream. */
  readonly sequences: Record<string, number>;
  /** Per composite, the constituent events applied so far. */
  readonly composites: Record<string, string[]>;
  /** Composites already raised. */
  readonly raised: string[];
  /** Per schedulable event, the token (message id) of the one scheduled now. */
  readonly timeouts: Record<string, string>;
  /**
   * The queue the instance started in when that was a slot's (`billing@blue`): its conversation
   * belongs to that slot, which what it sends goes back to, and which is not drained while it is open.
   */
  startedIn?: string;
  /** Set beside `startedIn`: whether the instance rests in a settled state, holding its slot open no more. */
  settled?: boolean;
}

/** One saga instance as the runtime works with it. */
export interface SagaInstance<D = unknown> {
  readonly id: string;
  state: string;
  data: D;
  readonly bookkeeping: SagaBookkeeping;
  /** The stored version; 0 for an instance not stored yet. */
  readonly version: number;
  /** The keys as stored (empty for a new instance). */
  readonly storedKeys: Readonly<Record<string, string>>;
  /** Keys the instance was started or parked by, kept beside those its data gives. */
  readonly addedKeys: Record<string, string>;
}

/** The shape of `SagaRecord.data`: the user's data and the runtime's bookkeeping side by side. */
interface StoredSagaData {
  readonly data: unknown;
  readonly bookkeeping: SagaBookkeeping;
}

/** Bookkeeping of an instance that has seen nothing yet. */
export function emptyBookkeeping(): SagaBookkeeping {
  return { held: [], sequences: {}, composites: {}, raised: [], timeouts: {} };
}

/**
 * Reads a stored record into an instance the runtime may change. Stores hand over records they keep
 * no reference to (the port says so), so nothing is copied: a copy cost a third of the engine's time.
 */
export function instanceFromRecord<D>(record: SagaRecord): SagaInstance<D> {
  const stored = record.data as Partial<StoredSagaData> | null;
  const bookkeeping = { ...emptyBookkeeping(), ...stored?.bookkeeping };
  return {
    id: record.id,
    state: record.state,
    data: stored?.data as D,
    bookkeeping,
    version: record.version,
    storedKeys: record.keys,
    addedKeys: {},
  };
}

/** The record to store for `instance` with `keys`, one version on from what was loaded. */
export function recordFromInstance(
  sagaType: string,
  instance: SagaInstance,
  keys: Record<string, string>,
): SagaRecord {
  const data: StoredSagaData = { data: instance.data, bookkeeping: instance.bookkeeping };
  return { sagaType, id: instance.id, state: instance.state, data, version: instance.version + 1, keys };
}
