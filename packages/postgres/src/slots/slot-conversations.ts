import { defaultSchema } from '../migrations/switchyard-migrations.ts';
import { sagaTableNames } from '../saga-store/saga-statements.ts';
import { qualified } from '../sql/identifiers.ts';
import type { SqlExecutor } from '../sql/sql-client.ts';

/** Which slot's conversations to count: its queues, and the entries its bound sends go to. */
export interface SlotConversationQuery {
  /** The slot's queues, `billing@blue`: saga instances that started in one are its. */
  readonly queues: readonly string[];
  /** The endpoints those queues serve, `billing`: a scheduled send to one, bound to the slot, is its. */
  readonly entries: readonly string[];
  readonly slot: string;
  /** The schema Switchyard's migrations were applied to (default `switchyard`). */
  readonly schema?: string | undefined;
}

/** Open conversations of a slot, by kind. */
export interface SlotConversations {
  /** Saga instances that started in the slot and are not finished. */
  readonly sagas: number;
  /** Scheduled sends (saga timeouts among them) bound to the slot or addressed to its queues, not sent yet. */
  readonly scheduled: number;
}

/**
 * Counts what keeps a slot from being drained, in the saga store's and the scheduler's tables. A saga
 * instance remembers the queue it started in, and is open until it reaches the final state (`Final`,
 * kept when its saga does not remove finished instances) or rests in a state its saga declares settled
 * (waiting only for outside events); a scheduled message keeps the routing
 * headers it was encoded with, the slot among them.
 */
export async function countSlotConversations(
  sql: SqlExecutor,
  query: SlotConversationQuery,
): Promise<SlotConversations> {
  const schema = query.schema ?? defaultSchema;
  const sagas = await sql.query(
    `select count(*)::int as open from ${sagaTableNames(schema).instances}
      where data -> 'bookkeeping' ->> 'startedIn' = any($1::text[]) and state <> 'Final'
        and coalesce(data -> 'bookkeeping' ->> 'settled', 'false') <> 'true'`,
    [query.queues],
  );
  const scheduled = await sql.query(
    `select count(*)::int as open from ${qualified(schema, 'yard_scheduled')}
      where destination = any($1::text[])
         or (headers ->> 'Switchyard-Slot' = $2 and destination = any($3::text[]))`,
    [query.queues, query.slot, query.entries],
  );
  return { sagas: Number(sagas.rows[0]?.open ?? 0), scheduled: Number(scheduled.rows[0]?.open ?? 0) };
}
