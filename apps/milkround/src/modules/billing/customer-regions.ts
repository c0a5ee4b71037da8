import { type ConsumeContext, type MessageOf, transactionOf } from '@switchyard/bus';
import type { ModuleServices } from '@switchyard/host';
import { column, type SqlExecutor, type SqlTransaction } from '@switchyard/postgres';
import { type MemberJoined, Region } from '../memberships/contracts.ts';

const timeZones: Record<Region, string> = { UK: 'Europe/London', US: 'America/New_York' };

/**
 * Where billing has not heard of a customer's region yet, it takes them for a UK customer, where the
 * business started: months read in London time, amounts in pounds.
 */
const defaultRegion: Region = 'UK';

/**
 * Keeps the region of each member, which decides their currency and in which month their refunds and
 * credits fall.
 */
export function rememberRegion(services: ModuleServices) {
  const { schema } = services;
  return async function rememberRegion(
    member: MessageOf<typeof MemberJoined>,
    context: ConsumeContext,
  ): Promise<void> {
    await transactionOf<SqlTransaction>(context).query(
      `insert into ${schema}.customers (customer_id, region) values ($1, $2)
       on conflict (customer_id) do update set region = excluded.region`,
      [member.customerId, member.region],
    );
  };
}

/** The region billing last heard for a customer, or the default region. */
export async function regionOf(sql: SqlExecutor, schema: string, customerId: string): Promise<Region> {
  const { rows } = await sql.query(`select region from ${schema}.customers where customer_id = $1`, [
    customerId,
  ]);
  const row = rows[0];
  const region = row ? Region.safeParse(column.text(row, 'region')) : undefined;
  return region?.success ? region.data : defaultRegion;
}

/** The time zone a customer's months are read in. */
export function timeZoneOf(region: Region): string {
  return timeZones[region];
}
