import {
  SagaConcurrencyError,
  type SagaRecord,
  type SagaStore,
  type SagaTransition,
} from '../ports/saga-store.ts';
import { assertTransactionOf, type MemoryDatabase, type MemoryTransaction } from './memory-database.ts';

/** What the saga store keeps on a database. */
interface SagaTables {
  /** Records by `instanceKey`. */
  readonly instances: Map<string, SagaRecord>;
  /** The id of the instance holding each correlation key value, by `correlationKey`. */
  readonly keys: Map<string, string>;
  /** Transitions by `instanceKey`, oldest first; kept when the instance is removed. */
  readonly timelines: Map<string, SagaTransition[]>;
}

/**
 * The saga store on a `MemoryDatabase`. It keeps and hands out deep copies, so that no caller can
 * change stored state except through the store.
 */
export class MemorySagaStore implements SagaStore<MemoryTransaction> {
  readonly #database: MemoryDatabase;
  readonly #tables: SagaTables;

  constructor(database: MemoryDatabase) {
    this.#database = database;
    this.#tables = database.table(
      'sagas',
      (): SagaTables => ({ instances: new Map(), keys: new Map(), timelines: new Map() }),
    );
  }

  async load(tx: MemoryTransaction, sagaType: string, id: string): Promise<SagaRecord | undefined> {
    const stored = this.#stage(tx).instances.get(instanceKey(sagaType, id));
    return stored && structuredClone(stored);
  }

  async findByKey(
    tx: MemoryTransaction,
    sagaType: string,
    key: string,
    value: string,
  ): Promise<SagaRecord | undefined> {
    const id = this.#stage(tx).keys.get(correlationKey(sagaType, key, value));
    return id === undefined ? undefined : this.load(tx, sagaType, id);
  }

  async insert(tx: MemoryTransaction, record: SagaRecord): Promise<void> {
    const { instances, keys } = this.#stage(tx);
    const { sagaType, id } = record;
    if (record.version !== 1) {
      throw new RangeError(
        `Cannot insert saga ${sagaType} ${id} at version ${record.version}: a new instance starts at version 1`,
      );
    }
    if (instances.has(instanceKey(sagaType, id))) {
      throw new SagaConcurrencyError(`Cannot insert saga ${sagaType} ${id}: an instance with that id exists`);
    }
    this.#assertKeysFree(keys, record);
    instances.set(instanceKey(sagaType, id), structuredClone(record));
    for (const [key, value] of Object.entries(record.keys))
      keys.set(correlationKey(sagaType, key, value), id);
  }

  async update(tx: MemoryTransaction, record: SagaRecord): Promise<void> {
    const { instances, keys } = this.#stage(tx);
    const { sagaType, id } = record;
    const stored = instances.get(instanceKey(sagaType, id));
    if (stored === undefined) {
      throw new SagaConcurrencyError(
        `Cannot update saga ${sagaType} ${id} to version ${record.version}: there is no such instance (removed since it was loaded?)`,
      );
    }
    if (stored.version !== record.version - 1) {
      throw new SagaConcurrencyError(
        `Cannot update saga ${sagaType} ${id} to version ${record.version}: it is at version ${stored.version}, so it changed since it was loaded`,
      );
    }
    this.#assertKeysFree(keys, record);
    for (const [key, value] of Object.entries(stored.keys)) {
      if (record.keys[key] !== value) keys.delete(correlationKey(sagaType, key, value));
    }
    for (const [key, value] of Object.entries(record.keys))
      keys.set(correlationKey(sagaType, key, value), id);
    instances.set(instanceKey(sagaType, id), structuredClone(record));
  }

  async remove(tx: MemoryTransaction, sagaType: string, id: string, expectedVersion: number): Promise<void> {
    const { instances, keys } = this.#stage(tx);
    const stored = instances.get(instanceKey(sagaType, id));
    if (stored?.version !== expectedVersion) {
      const found = stored === undefined ? 'there is no such instance' : `it is at version ${stored.version}`;
      throw new SagaConcurrencyError(
        `Cannot remove saga ${sagaType} ${id} at version ${expectedVersion}: ${found}, so it changed since it was loaded`,
      );
    }
    for (const [key, value] of Object.entries(stored.keys)) keys.delete(correlationKey(sagaType, key, value));
    instances.delete(instanceKey(sagaType, id));
  }

  async recordTransition(tx: MemoryTransaction, transition: SagaTransition): Promise<void> {
    assertTransactionOf(this.#database, tx, 'MemorySagaStore');
    const copy = structuredClone(transition);
    tx.onCommit(() => {
      const key = instanceKey(copy.sagaType, copy.sagaId);
      const timeline = this.#tables.timelines.get(key);
      if (timeline) timeline.push(copy);
      else this.#tables.timelines.set(key, [copy]);
    });
  }

  async timeline(sagaType: string, id: string): Promise<SagaTransition[]> {
    return structuredClone(this.#tables.timelines.get(instanceKey(sagaType, id)) ?? []);
  }

  #stage(tx: MemoryTransaction) {
    assertTransactionOf(this.#database, tx, 'MemorySagaStore');
    return { instances: tx.stage(this.#tables.instances), keys: tx.stage(this.#tables.keys) };
  }

  #assertKeysFree(keys: { get(key: string): string | undefined }, record: SagaRecord): void {
    for (const [key, value] of Object.entries(record.keys)) {
      const holder = keys.get(correlationKey(record.sagaType, key, value));
      if (holder !== undefined && holder !== record.id) {
        throw new SagaConcurrencyError(
          `Saga ${record.sagaType} ${record.id} cannot take key ${key}=${value}: instance ${holder} holds it`,
        );
      }
    }
  }
}

// JSON keeps the parts apart whatever characters they hold.
function instanceKey(sagaType: string, id: string): string {
  return JSON.stringify([sagaType, id]);
}

function correlationKey(sagaType: string, key: string, value: string): string {
  return JSON.stringify([sagaType, key, value]);
}
