import { SagaConcurrencyError, type SagaRecord, type SagaStore, type SagaTransition } from '@switchyard/bus';
import { defaultSchema } from '../migrations/switchyard-migrations.ts';
import { column } from '../sql/row-values.ts';
import type { SqlClient, SqlTransaction } from '../sql/sql-client.ts';
import { sagaConflictOr } from './saga-conflicts.ts';
import { jsonText, sagaRecordFrom, sagaTransitionFrom } from './saga-rows.ts';
import { type SagaStatements, sagaStatements, sagaTableNames } from './saga-statements.ts';

/** Where the saga tables are. */
export interface PostgresSagaStoreOptions {
  /** The schema Switchyard's migrations were applied to (default `switchyard`). */
  readonly schema?: string;
}

/**
 * The saga store on PostgreSQL (or PGlite), in the tables of `migrations/0002_saga_store.sql`. Every
 * operation is one statement (a conflict costs one more, to explain it); a taken id or key is the
 * server's unique violation, which aborts the transaction, as the port expects of a conflict.
 */
export class PostgresSagaStore implements SagaStore<SqlTransaction> {
  readonly #client: SqlClient;
  readonly #sql: SagaStatements;

  constructor(client: SqlClient, options: PostgresSagaStoreOptions = {}) {
    this.#client = client;
    this.#sql = sagaStatements(sagaTableNames(options.schema ?? defaultSchema));
  }

  async load(tx: SqlTransaction, sagaType: string, id: string): Promise<SagaRecord | undefined> {
    const { rows } = await tx.query(this.#sql.load, [sagaType, id]);
    const row = rows[0];
    return row && sagaRecordFrom(row, sagaType, id);
  }

  async findByKey(
    tx: SqlTransaction,
    sagaType: string,
    key: string,
    value: string,
  ): Promise<SagaRecord | undefined> {
    const { rows } = await tx.query(this.#sql.findByKey, [sagaType, key, value]);
    const row = rows[0];
    return row && sagaRecordFrom(row, sagaType, column.text(row, 'id'));
  }

  async insert(tx: SqlTransaction, record: SagaRecord): Promise<void> {
    const { sagaType, id } = record;
    if (record.version !== 1) {
      throw new RangeError(
        `Cannot insert saga ${sagaType} ${id} at version ${record.version}: a new instance starts at version 1`,
      );
    }
    const params = [sagaType, id, record.state, sagaData(record), sagaKeys(record)];
    try {
      await tx.query(this.#sql.insert, params);
    } catch (error) {
      throw sagaConflictOr(error, record, `Cannot insert saga ${sagaType} ${id}`);
    }
  }

  async update(tx: SqlTransaction, record: SagaRecord): Promise<void> {
    const { sagaType, id, version } = record;
    const attempt = `Cannot update saga ${sagaType} ${id} to version ${version}`;
    const params = [sagaType, id, record.state, sagaData(record), version, sagaKeys(record), version - 1];
    let updated: number;
    try {
      // Most steps keep the keys: try the plain update first; the key-reconciling one plans far slower.
      updated = (await tx.query(this.#sql.updateKeepingKeys, params)).rowCount;
      if (updated === 0) updated = (await tx.query(this.#sql.update, params)).rows.length;
    } catch (error) {
      throw sagaConflictOr(error, record, attempt);
    }
    if (updated === 0) throw await this.#staleVersion(tx, sagaType, id, attempt, version - 1);
  }

  async remove(tx: SqlTransaction, sagaType: string, id: string, expectedVersion: number): Promise<void> {
    const { rowCount } = await tx.query(this.#sql.remove, [sagaType, id, expectedVersion]);
    if (rowCount === 0) {
      const attempt = `Cannot remove saga ${sagaType} ${id} at version ${expectedVersion}`;
      throw await this.#staleVersion(tx, sagaType, id, attempt, expectedVersion);
    }
  }

  async recordTransition(tx: SqlTransaction, transition: SagaTransition): Promise<void> {
    await tx.query(this.#sql.recordTransition, [
      transition.sagaType,
      transition.sagaId,
      transition.from ?? null,
      transition.to,
      transition.event,
      transition.messageId ?? null,
      transition.at,
    ]);
  }

  async timeline(sagaType: string, id: string): Promise<SagaTransition[]> {
    const { rows } = await this.#client.query(this.#sql.timeline, [sagaType, id]);
    return rows.map((row) => sagaTransitionFrom(row, sagaType, id));
  }

  /**
   * The conflict when a write found the instance gone or at another version than `expected`;
   * `attempt` is the start of its message, e.g. `Cannot remove saga T 42 at version 3`.
   */
  async #staleVersion(
    tx: SqlTransaction,
    sagaType: string,
    id: string,
    attempt: string,
    expected: number,
  ): Promise<SagaConcurrencyError> {
    const { rows } = await tx.query(this.#sql.storedVersion, [sagaType, id]);
    const row = rows[0];
    const found =
      row === undefined
        ? 'there is no such instance (removed since it was loaded?)'
        : `it is at version ${column.integer(row, 'version')}, not ${expected}, so it changed since it was loaded`;
    return new SagaConcurrencyError(`${attempt}: ${found}`);
  }
}

function sagaData(record: SagaRecord): string {
  return jsonText(record.data, `The data of saga ${record.sagaType} ${record.id}`);
}

function sagaKeys(record: SagaRecord): string {
  return jsonText(record.keys, `The keys of saga ${record.sagaType} ${record.id}`);
}
