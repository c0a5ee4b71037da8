import type { SqlClient } from '@switchyard/postgres';

/**
 * Makes the database refuse writes (inserts, or updates) to `table` of rows matching `condition` (SQL
 * over `new`), as a full disk or a broken constraint would: the consumer that writes them fails for
 * real, every time. Returns what removes the refusal.
 */
export async function refuseWrites(
  sql: SqlClient,
  name: string,
  table: string,
  condition: string,
  operation: 'insert' | 'update' = 'insert',
): Promise<() => Promise<void>> {
  const fn = `test_refuse_${name}`;
  await sql.query(
    `create function ${fn}() returns trigger language plpgsql as $$
     begin
       raise exception 'The store refuses this row of ${table} (test fault ${name})';
     end $$`,
  );
  await sql.query(
    `create trigger ${fn} before ${operation} on ${table} for each row when (${condition}) execute function ${fn}()`,
  );
  return async () => {
    await sql.query(`drop trigger if exists ${fn} on ${table}`);
    await sql.query(`drop function if exists ${fn}()`);
  };
}
