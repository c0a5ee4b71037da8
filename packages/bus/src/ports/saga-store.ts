import { SwitchyardError } from '../errors.ts';

/** The persisted state of one saga instance. */
export interface SagaRecord {
  readonly sagaType: string;
  readonly id: string;
  /** The name of the state the instance is in. */
  readonly state: string;
  /** The saga's data, a JSON-able value. */
  readonly data: unknown;
  /** Starts at 1 on insert and goes up by one on every update (optimistic concurrency). */
  readonly version: number;
  /** Further correlation keys, such as `{ orderId: "...", externalRef: "..." }`; each unique per saga type. */
  readonly keys: Readonly<Record<string, string>>;
}

/** One recorded step of a saga's life, for its timeline. */
export interface SagaTransition {
  readonly sagaType: string;
  readonly sagaId: string;
  /** Absent for the transition that created the instance. */
  readonly from?: string | undefined;
  readonly to: string;
  readonly event: string;
  readonly messageId?: string | undefined;
  readonly at: Date;
}

/** Someone else changed or created the saga first; reload and try again. */
export class SagaConcurrencyError extends SwitchyardError {
  constructor(message: string) {
    super('SAGA_CONCURRENCY', message);
  }
}

/**
 * Durable saga state with optimistic concurrency, lookup by any correlation key, and an audit trail.
 * A SagaConcurrencyError (also raised for updating or removing an instance that does not exist) ends
 * the unit of work: PostgreSQL aborts the transaction, so the caller rolls back, reloads and retries.
 * Inserting a record whose version is not 1 is a programming error (RangeError).
 */
export interface SagaStore<Tx> {
  /** The stored record; it is the caller's to change (the store keeps no reference to it). */
  load(tx: Tx, sagaType: string, id: string): Promise<SagaRecord | undefined>;
  /** Finds the instance whose correlation key `key` has `value`; the record is the caller's, as with `load`. */
  findByKey(tx: Tx, sagaType: string, key: string, value: string): Promise<SagaRecord | undefined>;
  /** Inserts a new instance (its version must be 1); SagaConcurrencyError if the id or any key is taken. */
  insert(tx: Tx, record: SagaRecord): Promise<void>;
  /**
   * Replaces the instance whose stored version is `record.version - 1`; SagaConcurrencyError when the
   * stored version differs or a new key is taken by another instance.
   */
  update(tx: Tx, record: SagaRecord): Promise<void>;
  /** Deletes the instance if its stored version is `expectedVersion`; SagaConcurrencyError otherwise. */
  remove(tx: Tx, sagaType: string, id: string, expectedVersion: number): Promise<void>;
  recordTransition(tx: Tx, transition: SagaTransition): Promise<void>;
  /** Every recorded transition of one instance in the order recorded (kept after the instance is removed). */
  timeline(sagaType: string, id: string): Promise<SagaTransition[]>;
}
