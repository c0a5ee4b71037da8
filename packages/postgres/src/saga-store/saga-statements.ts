import { qualified } from '../sql/identifiers.ts';

/** The saga store's tables, qualified with their schema (see `migrations/0002_saga_store.sql`). */
export interface SagaTableNames {
  readonly instances: string;
  readonly keys: string;
  readonly transitions: string;
}

/** The saga tables of `schema`. */
export function sagaTableNames(schema: string): SagaTableNames {
  return {
    instances: qualified(schema, 'yard_saga_instances'),
    keys: qualified(schema, 'yard_saga_keys'),
    transitions: qualified(schema, 'yard_saga_transitions'),
  };
}

/** Names of the constraints whose violation means another instance got there first. */
export const sagaConstraints = {
  /** The (saga type, id) of an instance. */
  instanceId: 'yard_saga_instances_pkey',
  /** The (saga type, key, value) of a correlation key. */
  correlationKey: 'yard_saga_keys_pkey',
} as const;

/** The statements the saga store runs, each one round trip; parameters are listed per statement. */
export interface SagaStatements {
  /** $1 saga type, $2 id → state, data, version, keys. */
  readonly load: string;
  /** $1 saga type, $2 key, $3 value → id, state, data, version, keys. */
  readonly findByKey: string;
  /** $1 saga type, $2 id, $3 state, $4 data (json text), $5 keys (json text): the instance and its keys. */
  readonly insert: string;
  /**
   * $1 saga type, $2 id, $3 state, $4 data, $5 new version, $6 keys, $7 expected stored version →
   * one row when the instance was at the expected version and is now replaced, none otherwise.
   */
  readonly update: string;
  /**
   * The same parameters as `update`, for the common step that keeps the keys: one plain versioned
   * UPDATE, which matches nothing when the version or the keys differ (then `update` runs).
   */
  readonly updateKeepingKeys: string;
  /** $1 saga type, $2 id, $3 expected version; the keys go with it (foreign key cascade). */
  readonly remove: string;
  /** $1 saga type, $2 id → version; used only to explain a conflict. */
  readonly storedVersion: string;
  /** $1 saga type, $2 saga id, $3 from, $4 to, $5 event, $6 message id, $7 at. */
  readonly recordTransition: string;
  /** $1 saga type, $2 saga id → from_state, to_state, event, message_id, occurred_at, oldest first. */
  readonly timeline: string;
}

/** The saga store's statements over `tables`, built once per store. */
export function sagaStatements(tables: SagaTableNames): SagaStatements {
  const { instances, keys, transitions } = tables;
  return {
    load: `select state, data, version, keys from ${instances} where saga_type = $1 and id = $2`,
    findByKey: `select instance.id, instance.state, instance.data, instance.version, instance.keys
      from ${keys} as correlation
      join ${instances} as instance on instance.saga_type = correlation.saga_type and instance.id = correlation.saga_id
      where correlation.saga_type = $1 and correlation.key_name = $2 and correlation.key_value = $3`,
    // One statement, so that a taken id or key leaves nothing of the instance behind.
    insert: `with instance as (
        insert into ${instances} (saga_type, id, state, data, version, keys)
        values ($1, $2, $3, $4::jsonb, 1, $5::jsonb)
        returning saga_type, id
      )
      insert into ${keys} (saga_type, key_name, key_value, saga_id)
      select instance.saga_type, wanted.key, wanted.value, instance.id
      from instance cross join jsonb_each_text($5::jsonb) as wanted`,
    // The version check and the key changes in one statement: when the version does not match,
    // `updated` is empty and the keys are left alone. Keys the instance already holds are skipped, so
    // inserting one held by another instance is a unique violation.
    updateKeepingKeys: `update ${instances} set state = $3, data = $4::jsonb, version = $5
      where saga_type = $1 and id = $2 and version = $7 and keys = $6::jsonb`,
    update: `with updated as (
        update ${instances} set state = $3, data = $4::jsonb, version = $5, keys = $6::jsonb
        where saga_type = $1 and id = $2 and version = $7
        returning saga_type, id
      ),
      dropped as (
        delete from ${keys} as held using updated
        where held.saga_type = updated.saga_type and held.saga_id = updated.id
          and not exists (
            select from jsonb_each_text($6::jsonb) as wanted
            where wanted.key = held.key_name and wanted.value = held.key_value
          )
      ),
      added as (
        insert into ${keys} (saga_type, key_name, key_value, saga_id)
        select updated.saga_type, wanted.key, wanted.value, updated.id
        from updated cross join jsonb_each_text($6::jsonb) as wanted
        where not exists (
          select from ${keys} as held
          where held.saga_type = updated.saga_type and held.key_name = wanted.key
            and held.key_value = wanted.value and held.saga_id = updated.id
        )
      )
      select id from updated`,
    remove: `delete from ${instances} where saga_type = $1 and id = $2 and version = $3`,
    storedVersion: `select version from ${instances} where saga_type = $1 and id = $2`,
    recordTransition: `insert into ${transitions}
      (saga_type, saga_id, from_state, to_state, event, message_id, occurred_at)
      values ($1, $2, $3, $4, $5, $6, $7)`,
    timeline: `select from_state, to_state, event, message_id, occurred_at from ${transitions}
      where saga_type = $1 and saga_id = $2 order by ordinal`,
  };
}
