import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ModuleDefinition } from '@switchyard/host';
import { column, migrate, openPglite, type SqlClient } from '@switchyard/postgres';
import { readBalance } from '../src/modules/billing/balance-query.ts';
import { readInvoice } from '../src/modules/billing/invoice-query.ts';
import { billingModule } from '../src/modules/billing/module.ts';
import { DeliveryRepository } from '../src/modules/deliveries/delivery-repository.ts';
import { deliveriesModule } from '../src/modules/deliveries/module.ts';
import { ordersModule } from '../src/modules/orders/module.ts';
import { OrderRepository } from '../src/modules/orders/order-repository.ts';

// An embedded database kept from the release before decision 0026 holds amounts under *_pence columns
// and delivery lines priced in `unitPricePence`. Each module's migrations up to that release run first,
// rows are written as that release wrote them, and then this release's migrations and code read them.

/** The module's migrations up to `lastVersion` (the previous release), or all of them. */
async function migrateModule(sql: SqlClient, module: ModuleDefinition, lastVersion = Infinity) {
  await migrate(sql, {
    owner: module.name,
    schema: module.name,
    migrations: (module.migrations ?? []).filter((each) => each.version <= lastVersion),
  });
}

describe('money columns of the previous release, migrated to minor units', () => {
  let sql: SqlClient;

  before(async () => {
    sql = await openPglite();
  });
  after(() => sql?.close());

  it("renames billing's amounts and reads them back by minor unit, in the customer's currency", async () => {
    const billing = billingModule();
    await migrateModule(sql, billing, 1);
    await sql.exec(`
      insert into billing.customers (customer_id, region) values ('c-us', 'US');
      insert into billing.charges (charge_id, delivery_id, customer_id, delivery_date, amount_pence, charged_at)
        values ('ch-1', 'd-1', 'c-us', '2026-11-20', 698, '2026-11-20T12:00:00Z');
      insert into billing.charge_lines (charge_id, line_number, sku, quantity, unit_price_pence, total_pence, refunded_quantity)
        values ('ch-1', 1, 'eggs-6', 2, 349, 698, 1);
      insert into billing.refunds (refund_id, complaint_id, customer_id, delivery_id, sku, requested_quantity,
          refunded_quantity, amount_pence, refused_reason, decided_at)
        values ('r-1', 'k-1', 'c-us', 'd-1', 'eggs-6', 1, 1, 349, null, '2026-11-21T12:00:00Z');
      insert into billing.credits (credit_id, customer_id, bottles, amount_pence, credited_at)
        values ('cr-1', 'c-us', 2, 40, '2026-11-22T12:00:00Z');
    `);
    await migrateModule(sql, billing);

    const invoice = await readInvoice(sql, 'billing', 'c-us', '2026-11');
    assert.ok(invoice);
    assert.equal(invoice.currency, 'USD');
    assert.deepEqual(invoice.charges[0]?.lines, [
      { sku: 'eggs-6', quantity: 2, unitPriceMinor: 349, totalMinor: 698 },
    ]);
    assert.deepEqual(
      [invoice.chargedMinor, invoice.refundedMinor, invoice.creditedMinor, invoice.totalMinor],
      [698, 349, 40, 309],
    );
    assert.deepEqual(await readBalance(sql, 'billing', 'c-us'), {
      customerId: 'c-us',
      currency: 'USD',
      chargedMinor: 698,
      refundedMinor: 349,
      creditedMinor: 40,
      balanceMinor: 309,
    });
    // The checks moved with their columns, under names that say so.
    await assert.rejects(
      sql.query(`update billing.charges set amount_minor = -1 where charge_id = 'ch-1'`),
      /charges_amount_minor_check/,
    );
  });

  it("renames the price in each delivery's stored lines, keeping a line that has the new name already", async () => {
    const deliveries = deliveriesModule();
    await migrateModule(sql, deliveries, 1);
    await sql.exec(`
      insert into deliveries.runs (run_id, delivery_date, regions, source, requested_at)
        values ('run-1', '2026-11-24', null, 'request', '2026-11-23T22:00:00Z');
      insert into deliveries.deliveries (delivery_id, delivery_date, customer_id, region, postcode, lines, order_ids, run_id, created_at)
        values ('d-old', '2026-11-24', 'c-1', 'US', '10001',
          '[{"sku": "milk-1pt", "quantity": 2, "unitPricePence": 95}, {"sku": "eggs-6", "quantity": 1, "unitPricePence": 349}]',
          '["o-1"]', 'run-1', '2026-11-23T22:00:00Z'),
        ('d-both', '2026-11-24', 'c-2', 'UK', 'SE1 1AA',
          '[{"sku": "oat-1l", "quantity": 1, "unitPricePence": 1, "unitPriceMinor": 180}]',
          '["o-2"]', 'run-1', '2026-11-23T22:00:00Z');
    `);
    await migrateModule(sql, deliveries);

    const { rows } = await sql.query(
      `select delivery_id, lines::text as lines from deliveries.deliveries order by delivery_id`,
    );
    assert.deepEqual(
      rows.map((row) => [column.text(row, 'delivery_id'), JSON.parse(column.text(row, 'lines'))]),
      [
        ['d-both', [{ sku: 'oat-1l', quantity: 1, unitPriceMinor: 180 }]],
        [
          'd-old',
          [
            { sku: 'milk-1pt', quantity: 2, unitPriceMinor: 95 },
            { sku: 'eggs-6', quantity: 1, unitPriceMinor: 349 },
          ],
        ],
      ],
    );
    const read = await new DeliveryRepository('deliveries').findDelivery(sql, 'd-old');
    assert.deepEqual(read?.lines, [
      { sku: 'milk-1pt', quantity: 2, unitPriceMinor: 95 },
      { sku: 'eggs-6', quantity: 1, unitPriceMinor: 349 },
    ]);
  });

  it("renames orders' prices and reads an order back with its customer's currency", async () => {
    const orders = ordersModule();
    await migrateModule(sql, orders, 3);
    await sql.exec(`
      insert into orders.customers (customer_id, name, region, postcode, discount_percent, status, updated_at)
        values ('c-us', 'Bob', 'US', '10001', 0, 'active', '2026-11-23T10:00:00Z');
      insert into orders.orders (order_id, customer_id, kind, status, delivery_date, created_at, updated_at)
        values ('o-1', 'c-us', 'one-off', 'open', '2026-11-25', '2026-11-23T10:00:00Z', '2026-11-23T10:00:00Z');
      insert into orders.order_lines (order_id, sku, quantity, unit_price) values ('o-1', 'eggs-6', 1, 349);
    `);
    await migrateModule(sql, orders);

    const order = await new OrderRepository('orders').find(sql, 'o-1');
    assert.deepEqual(order && { lines: order.lines, currency: order.currency }, {
      lines: [{ sku: 'eggs-6', quantity: 1, unitPriceMinor: 349 }],
      currency: 'USD',
    });
    const { rows } = await sql.query(
      `select unit_price_minor from orders.product_prices where sku = 'eggs-6' and region = 'US'`,
    );
    assert.equal(rows[0] && column.integer(rows[0], 'unit_price_minor'), 349);
  });
});
