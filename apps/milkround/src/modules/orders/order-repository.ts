import { column, type Row, type SqlExecutor } from '@switchyard/postgres';
import { currencyOf, type Region } from '../memberships/contracts.ts';
import type { OrderLine } from './contracts.ts';
import type { Order, OrderStatus } from './order.ts';
import { listOf, oneOf } from './row-values.ts';
import { type Weekday, weekdays } from './weekdays.ts';

const statuses: readonly OrderStatus[] = ['open', 'cancelled', 'stopped'];
const regions: readonly Region[] = ['UK', 'US'];

// Dates go out as text so that neither driver turns them into a Date at some zone's midnight.
const orderColumns = `order_id, customer_id, kind, status, weekdays,
  to_char(starts_on, 'YYYY-MM-DD') as starts_on, to_char(ends_before, 'YYYY-MM-DD') as ends_before,
  to_char(delivery_date, 'YYYY-MM-DD') as delivery_date, created_at, updated_at`;

/** One line of one order due on a date, with what the delivery needs to know of its customer. */
export interface DueLineRow {
  readonly orderId: string;
  readonly customerId: string;
  readonly region: Region;
  readonly postcode: string;
  readonly line: OrderLine;
}

/** The orders and order_lines tables. */
export class OrderRepository {
  readonly #orders: string;
  readonly #lines: string;
  readonly #customers: string;
  /** The region of an order's customer (only members order, so there is one): it decides the currency. */
  readonly #regionColumn: string;

  constructor(schema: string) {
    this.#orders = `${schema}.orders`;
    this.#lines = `${schema}.order_lines`;
    this.#customers = `${schema}.customers`;
    this.#regionColumn = `(select c.region from ${this.#customers} c where c.customer_id = o.customer_id) as region`;
  }

  /** Inserts a new order with its lines; `requestDigest` is the digest of the request that placed it. */
  async insert(db: SqlExecutor, order: Order, requestDigest: string): Promise<void> {
    await db.query(
      `insert into ${this.#orders} (order_id, customer_id, kind, status, weekdays, starts_on, ends_before,
         delivery_date, created_at, updated_at, request_digest)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        order.orderId,
        order.customerId,
        order.kind,
        order.status,
        order.kind === 'standing' ? [...order.weekdays] : null,
        order.kind === 'standing' ? order.startsOn : null,
        order.kind === 'standing' ? (order.endsBefore ?? null) : null,
        order.kind === 'one-off' ? order.deliveryDate : null,
        order.createdAt,
        order.updatedAt,
        requestDigest,
      ],
    );
    await this.#insertLines(db, order.orderId, order.lines);
  }

  /** The digest of the request that placed an order; undefined for an order placed before digests were kept. */
  async requestDigestOf(db: SqlExecutor, orderId: string): Promise<string | undefined> {
    const { rows } = await db.query(`select request_digest from ${this.#orders} where order_id = $1`, [
      orderId,
    ]);
    const digest = rows[0]?.request_digest;
    return typeof digest === 'string' ? digest : undefined;
  }

  /** The order with its lines; `lock` holds it until the transaction ends (one change at a time). */
  async find(db: SqlExecutor, orderId: string, lock = false): Promise<Order | undefined> {
    const { rows } = await db.query(
      `select ${orderColumns}, ${this.#regionColumn} from ${this.#orders} o where order_id = $1${lock ? ' for update of o' : ''}`,
      [orderId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return orderOf(row, await this.#linesOf(db, [orderId]));
  }

  /** A customer's orders, oldest first. */
  async ofCustomer(db: SqlExecutor, customerId: string): Promise<Order[]> {
    const { rows } = await db.query(
      `select ${orderColumns}, ${this.#regionColumn} from ${this.#orders} o
       where customer_id = $1 order by created_at, order_id`,
      [customerId],
    );
    const lines = await this.#linesOf(
      db,
      rows.map((row) => column.text(row, 'order_id')),
    );
    return rows.map((row) => orderOf(row, lines));
  }

  /** Writes back an order's status, end date and lines (the row was read with a lock in this transaction). */
  async update(db: SqlExecutor, order: Order): Promise<void> {
    await db.query(
      `update ${this.#orders} set status = $2, ends_before = $3, updated_at = $4 where order_id = $1`,
      [
        order.orderId,
        order.status,
        order.kind === 'standing' ? (order.endsBefore ?? null) : null,
        order.updatedAt,
      ],
    );
    await db.query(`delete from ${this.#lines} where order_id = $1`, [order.orderId]);
    await this.#insertLines(db, order.orderId, order.lines);
  }

  /**
   * The membership ended: standing orders deliver nothing from `firstOpenDate` on, and one-off orders
   * for that date or later are stopped. Orders already cancelled keep their own end.
   */
  async stopForCustomer(
    db: SqlExecutor,
    customerId: string,
    firstOpenDate: string,
    now: Date,
  ): Promise<void> {
    await db.query(
      `update ${this.#orders} set status = 'stopped', ends_before = $2::date, updated_at = $3
       where customer_id = $1 and status = 'open' and kind = 'standing'`,
      [customerId, firstOpenDate, now],
    );
    await db.query(
      `update ${this.#orders} set status = 'stopped', updated_at = $3
       where customer_id = $1 and status = 'open' and kind = 'one-off' and delivery_date >= $2::date`,
      [customerId, firstOpenDate, now],
    );
  }

  /**
   * Every line due on `date` for customers who are active: one-off orders for that date, and standing
   * orders for its weekday that had started and not ended by then.
   */
  async dueOn(db: SqlExecutor, date: string, weekday: Weekday): Promise<DueLineRow[]> {
    const { rows } = await db.query(
      `select o.order_id, o.customer_id, c.region, c.postcode, l.sku, l.quantity, l.unit_price_minor
       from ${this.#orders} o
       join ${this.#customers} c on c.customer_id = o.customer_id
       join ${this.#lines} l on l.order_id = o.order_id
       where c.status = 'active'
         and (
           (o.kind = 'one-off' and o.status = 'open' and o.delivery_date = $1::date)
           or (o.kind = 'standing' and $2 = any(o.weekdays) and o.starts_on <= $1::date
               and (o.ends_before is null or $1::date < o.ends_before))
         )
       order by o.customer_id, o.created_at, o.order_id, l.sku collate "C"`,
      [date, weekday],
    );
    return rows.map((row) => ({
      orderId: column.text(row, 'order_id'),
      customerId: column.text(row, 'customer_id'),
      region: oneOf(row, 'region', regions),
      postcode: column.text(row, 'postcode'),
      line: lineOf(row),
    }));
  }

  async #insertLines(db: SqlExecutor, orderId: string, lines: readonly OrderLine[]): Promise<void> {
    for (const line of lines) {
      await db.query(
        `insert into ${this.#lines} (order_id, sku, quantity, unit_price_minor) values ($1, $2, $3, $4)`,
        [orderId, line.sku, line.quantity, line.unitPriceMinor],
      );
    }
  }

  async #linesOf(db: SqlExecutor, orderIds: readonly string[]): Promise<Map<string, OrderLine[]>> {
    const byOrder = new Map<string, OrderLine[]>();
    if (orderIds.length === 0) return byOrder;
    const { rows } = await db.query(
      `select order_id, sku, quantity, unit_price_minor from ${this.#lines} where order_id = any($1) order by order_id, sku collate "C"`,
      [orderIds],
    );
    for (const row of rows) {
      const orderId = column.text(row, 'order_id');
      byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), lineOf(row)]);
    }
    return byOrder;
  }
}

function lineOf(row: Row): OrderLine {
  return {
    sku: column.text(row, 'sku'),
    quantity: column.integer(row, 'quantity'),
    unitPriceMinor: column.integer(row, 'unit_price_minor'),
  };
}

function orderOf(row: Row, lines: Map<string, OrderLine[]>): Order {
  const orderId = column.text(row, 'order_id');
  const common = {
    orderId,
    customerId: column.text(row, 'customer_id'),
    status: oneOf(row, 'status', statuses),
    lines: lines.get(orderId) ?? [],
    currency: currencyOf(oneOf(row, 'region', regions)),
    createdAt: column.timestamp(row, 'created_at'),
    updatedAt: column.timestamp(row, 'updated_at'),
  };
  if (oneOf(row, 'kind', ['standing', 'one-off'] as const) === 'standing') {
    return {
      ...common,
      kind: 'standing',
      weekdays: listOf(row, 'weekdays', weekdays),
      startsOn: column.text(row, 'starts_on'),
      endsBefore: column.optionalText(row, 'ends_before'),
    };
  }
  return { ...common, kind: 'one-off', deliveryDate: column.text(row, 'delivery_date') };
}
