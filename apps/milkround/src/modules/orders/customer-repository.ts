import { column, type Row, type SqlExecutor } from '@switchyard/postgres';
import type { Region } from '../memberships/contracts.ts';
import type { Customer, CustomerStatus } from './order.ts';
import { oneOf } from './row-values.ts';

const regions: readonly Region[] = ['UK', 'US'];
const statuses: readonly CustomerStatus[] = ['active', 'paused', 'ended'];

/** The customers table: members as orders last heard of them. */
export class CustomerRepository {
  readonly #customers: string;

  constructor(schema: string) {
    this.#customers = `${schema}.customers`;
  }

  async find(db: SqlExecutor, customerId: string): Promise<Customer | undefined> {
    const { rows } = await db.query(
      `select customer_id, name, region, postcode, discount_percent, status from ${this.#customers}
       where customer_id = $1`,
      [customerId],
    );
    return rows[0] ? customerOf(rows[0]) : undefined;
  }

  /** A member joined (or joined again after their membership ended): active, with the plan's discount. */
  async joined(db: SqlExecutor, customer: Omit<Customer, 'status'>, now: Date): Promise<void> {
    await db.query(
      `insert into ${this.#customers} (customer_id, name, region, postcode, discount_percent, status, updated_at)
       values ($1, $2, $3, $4, $5, 'active', $6)
       on conflict (customer_id) do update set name = excluded.name, region = excluded.region,
         postcode = excluded.postcode, discount_percent = excluded.discount_percent, status = 'active',
         updated_at = excluded.updated_at`,
      [customer.customerId, customer.name, customer.region, customer.postcode, customer.discountPercent, now],
    );
  }

  /**
   * Moves the customer to `status` if they are in one of `from`; returns the customer as they are
   * afterwards, or undefined when orders has not heard of them.
   */
  async moveTo(
    db: SqlExecutor,
    customerId: string,
    status: CustomerStatus,
    from: readonly CustomerStatus[],
    now: Date,
  ): Promise<Customer | undefined> {
    await db.query(
      `update ${this.#customers} set status = $2, updated_at = $4 where customer_id = $1 and status = any($3)`,
      [customerId, status, from, now],
    );
    return this.find(db, customerId);
  }
}

function customerOf(row: Row): Customer {
  return {
    customerId: column.text(row, 'customer_id'),
    name: column.text(row, 'name'),
    region: oneOf(row, 'region', regions),
    postcode: column.text(row, 'postcode'),
    discountPercent: column.integer(row, 'discount_percent'),
    status: oneOf(row, 'status', statuses),
  };
}
