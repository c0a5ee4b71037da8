import type { Topology } from '@switchyard/bus';
import type { SqlClient, SqlTransaction } from '../sql/sql-client.ts';
import type { TransportTables } from '../transport/transport-tables.ts';

/** One endpoint's queue and the exchange of the same name bound to it, as a send needs them. */
export function endpointTopology(queue: string): Topology {
  return {
    exchanges: [{ name: queue, role: 'endpoint', durable: true, autoDelete: false }],
    queues: [{ name: queue, role: 'endpoint', durable: true, autoDelete: false, queueType: 'classic' }],
    bindings: [{ source: queue, destination: queue, destinationType: 'queue' }],
  };
}

/**
 * Creates what the topology describes and is missing; what exists is left as it is (idempotent).
 * Runs in the caller's transaction when given one, else in a transaction of its own.
 */
export async function deployTopology(
  executor: SqlClient | SqlTransaction,
  tables: TransportTables,
  topology: Topology,
): Promise<void> {
  if ('transaction' in executor) {
    await executor.transaction((tx) => deployTopology(tx, tables, topology));
    return;
  }
  const tx = executor;
  if (topology.exchanges.length > 0) {
    await tx.query(
      `insert into ${tables.exchanges} (name, role, durable, auto_delete)
         select * from unnest($1::text[], $2::text[], $3::boolean[], $4::boolean[])
         on conflict (name) do nothing`,
      [
        topology.exchanges.map((each) => each.name),
        topology.exchanges.map((each) => each.role),
        topology.exchanges.map((each) => each.durable),
        topology.exchanges.map((each) => each.autoDelete),
      ],
    );
  }
  if (topology.queues.length > 0) {
    await tx.query(
      `insert into ${tables.queues} (name, role, durable, auto_delete, queue_type)
         select * from unnest($1::text[], $2::text[], $3::boolean[], $4::boolean[], $5::text[])
         on conflict (name) do update set last_seen_at = now()`,
      [
        topology.queues.map((each) => each.name),
        topology.queues.map((each) => each.role),
        topology.queues.map((each) => each.durable),
        topology.queues.map((each) => each.autoDelete),
        topology.queues.map((each) => each.queueType),
      ],
    );
  }
  if (topology.bindings.length > 0) {
    await tx.query(
      `insert into ${tables.bindings} (source, destination, destination_type)
         select * from unnest($1::text[], $2::text[], $3::text[])
         on conflict do nothing`,
      [
        topology.bindings.map((each) => each.source),
        topology.bindings.map((each) => each.destination),
        topology.bindings.map((each) => each.destinationType),
      ],
    );
  }
}

/** Deletes a queue with its messages and the bindings to it. */
export async function removeQueue(client: SqlClient, tables: TransportTables, queue: string): Promise<void> {
  await client.transaction(async (tx) => {
    await tx.query(`delete from ${tables.messages} where queue = $1`, [queue]);
    await tx.query(`delete from ${tables.bindings} where destination = $1 and destination_type = 'queue'`, [
      queue,
    ]);
    await tx.query(`delete from ${tables.queues} where name = $1`, [queue]);
  });
}
