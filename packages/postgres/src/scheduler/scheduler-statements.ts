import { scheduledColumns } from './scheduled-rows.ts';

/** The scheduler's statements on one table, built once. Times are parameters: the caller's clock rules. */
export interface SchedulerStatements {
  /**
   * Stores a message (`$1`-`$11` as `scheduledRowValues` gives them), replacing any row with its id
   * and whatever claim that row had, then notifies `$12` with `$13` (the due time in ms). NOTIFY is
   * sent when the surrounding transaction commits, so listeners never wake for a rolled-back message.
   */
  readonly schedule: string;
  /** Deletes row `$1` unless a delivery whose lease runs past `$2` holds it. */
  readonly cancel: string;
  /**
   * Claims up to `$2` rows whose due time and lease have passed by `$1`, soonest first, skipping rows
   * another claimer has locked; leases them until `$3` under token `$4`.
   */
  readonly claim: string;
  /** Deletes row `$1` if it is still the one claimed under token `$2`. */
  readonly complete: string;
  /** Gives row `$1` (claimed under token `$2`) back, not to be claimed again before `$3`. */
  readonly retryLater: string;
  /** Gives back every row claimed under token `$1`, claimable at once: they were never delivered. */
  readonly release: string;
  /** Extends to `$2` the lease of rows still held under the tokens `$1`. */
  readonly renew: string;
  /** Every row, soonest first. */
  readonly pending: string;
  /** When the soonest row becomes claimable (null for an empty table). */
  readonly nextAttempt: string;
}

/** The statements on `table` (a qualified, quoted name). */
export function schedulerStatements(table: string): SchedulerStatements {
  // Must read exactly as the expression index of migration 0003 for the planner to use it.
  const availableAt = 'greatest(due_at, lease_until)';
  return {
    schedule: `with stored as (
        insert into ${table} (${scheduledColumns}, lease_until, claim_token, attempts)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, null, null, 0)
        on conflict (id) do update set
          due_at = excluded.due_at, kind = excluded.kind, destination = excluded.destination,
          message_id = excluded.message_id, correlation_id = excluded.correlation_id,
          content_type = excluded.content_type, body = excluded.body, headers = excluded.headers,
          delay_ms = excluded.delay_ms, conversation_id = excluded.conversation_id,
          lease_until = null, claim_token = null, attempts = 0
        returning id
      )
      select pg_notify($12, $13) from stored`,
    cancel: `delete from ${table}
      where id = $1 and (claim_token is null or lease_until <= $2)`,
    claim: `with due as (
        select id from ${table}
        where ${availableAt} <= $1
        order by ${availableAt}
        limit $2
        for update skip locked
      )
      update ${table} as scheduled
      set lease_until = $3, claim_token = $4, attempts = scheduled.attempts + 1
      from due
      where scheduled.id = due.id
      returning ${qualifiedColumns('scheduled')}, scheduled.attempts`,
    complete: `delete from ${table} where id = $1 and claim_token = $2`,
    retryLater: `update ${table} set lease_until = $3, claim_token = null
      where id = $1 and claim_token = $2`,
    release: `update ${table} set lease_until = null, claim_token = null, attempts = attempts - 1
      where claim_token = $1`,
    renew: `update ${table} set lease_until = $2 where claim_token = any($1::uuid[])`,
    pending: `select ${scheduledColumns} from ${table} order by due_at, id collate "C"`,
    nextAttempt: `select min(${availableAt}) as next_at from ${table}`,
  };
}

/** `scheduledColumns`, each prefixed with `alias.` (an update's `returning` would find two of each). */
function qualifiedColumns(alias: string): string {
  return scheduledColumns
    .split(', ')
    .map((name) => `${alias}.${name}`)
    .join(', ');
}
