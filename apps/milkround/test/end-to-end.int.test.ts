import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { postgresForTests, rabbitmqForTests, startListeningProcess } from '@switchyard/testing';
import { milkroundModules } from '../src/app.ts';
import {
  eventually,
  jsonRequester,
  type RunningMilkround,
  startMilkround,
  testClock,
} from './support/milkround-host.ts';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();
const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.ts');

type Request = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

interface Plan {
  rounds: { deliveries: { deliveryId: string; customerId: string; lines: { unitPriceMinor: number }[] }[] }[];
}
interface Invoice {
  currency: string;
  charges: { deliveryId: string; amountMinor: number }[];
  refunds: { amountMinor: number }[];
  totalMinor: number;
}

/**
 * The business journey through the HTTP API: a customer joins, places a standing order, the nightly
 * run plans the date, the driver delivers, billing charges; then a complaint is refunded.
 */
async function journey(request: Request, customerId: string, deliveryDate: string): Promise<void> {
  const period = deliveryDate.slice(0, 7);
  const joined = await request('POST', '/memberships', {
    customerId,
    name: 'Ada Lovelace',
    region: 'UK',
    postcode: 'M1 1AE',
    plan: 'plus',
  });
  assert.equal(joined.status, 201, JSON.stringify(joined.body));

  // Orders learns of the member by message; until then it does not know the customer.
  await eventually(async () =>
    (await request('GET', `/customers/${customerId}/orders`)).status === 200 ? true : undefined,
  );
  // A client that lost its answer sends the order again, here even before the first is placed: the
  // orderId it chose makes that one order (a second would double the delivery and the charge below).
  const orderId = randomUUID();
  const placed = await Promise.all(
    [1, 2, 3].map(() =>
      request('POST', '/orders/standing', {
        orderId,
        customerId,
        lines: [{ sku: 'milk-1pt', quantity: 2 }],
        weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      }),
    ),
  );
  assert.deepEqual(
    placed.map((answer) => [answer.status, (answer.body as { orderId?: string }).orderId]),
    [1, 2, 3].map(() => [201, orderId]),
  );

  const run = await request('POST', '/deliveries/runs', { deliveryDate });
  assert.equal(run.status, 202, JSON.stringify(run.body));
  const delivery = await eventually(async () => {
    const plan = await request('GET', `/deliveries/runs/${deliveryDate}`);
    if (plan.status !== 200) return undefined;
    return (plan.body as Plan).rounds
      .flatMap((round) => round.deliveries)
      .find((each) => each.customerId === customerId);
  });
  const unitPrice = delivery.lines[0]?.unitPriceMinor ?? 0;
  assert.ok(unitPrice > 0, 'priced with the member discount');

  for (const [type, sequence] of [
    ['loaded', 1],
    ['delivered', 2],
  ] as const) {
    const event = await request('POST', `/deliveries/${delivery.deliveryId}/events`, {
      type,
      sequence,
      at: `${deliveryDate}T06:30:00Z`,
    });
    assert.equal(event.status, 202, JSON.stringify(event.body));
  }
  const charged = await eventually(async () => {
    const answer = await request('GET', `/billing/customers/${customerId}/invoices/${period}`);
    return answer.status === 200 ? (answer.body as Invoice) : undefined;
  });
  assert.deepEqual(
    charged.charges.map((charge) => [charge.deliveryId, charge.amountMinor]),
    [[delivery.deliveryId, 2 * unitPrice]],
  );

  // The complaint, too, is sent twice at once under the id the client chose: one refund follows.
  const complaintId = randomUUID();
  const filed = await Promise.all(
    [1, 2].map(() =>
      request('POST', '/returns/complaints', {
        complaintId,
        customerId,
        deliveryId: delivery.deliveryId,
        sku: 'milk-1pt',
        quantity: 1,
        reason: 'The milk was sour',
      }),
    ),
  );
  assert.deepEqual(
    filed.map((answer) => [answer.status, (answer.body as { complaintId?: string }).complaintId]),
    [
      [202, complaintId],
      [202, complaintId],
    ],
  );
  const complaint = await eventually(async () => {
    const answer = await request('GET', `/returns/complaints/${complaintId}`);
    const body = answer.body as { status?: string; amountMinor?: number; currency?: string | null };
    return answer.status === 200 && body.status === 'refunded' ? body : undefined;
  });
  assert.equal(complaint.amountMinor, unitPrice);
  assert.equal(complaint.currency, 'GBP', 'a UK member is refunded in pounds');
  const invoice = (await request('GET', `/billing/customers/${customerId}/invoices/${period}`))
    .body as Invoice;
  assert.deepEqual(
    invoice.refunds.map((refund) => refund.amountMinor),
    [unitPrice],
  );
  assert.equal(invoice.totalMinor, unitPrice, 'two pints charged, one refunded');
  assert.equal(invoice.currency, 'GBP');
}

for (const servers of [false, true]) {
  const name = servers ? 'PostgreSQL + RabbitMQ' : 'embedded (PGlite, PostgreSQL transport)';
  describe(`milkround end to end, one process (${name})`, {
    skip: servers && (postgres.skip || rabbitmq.skip),
  }, () => {
    let milkround: RunningMilkround;
    let cleanup = async () => {};

    before(async () => {
      let config: Record<string, unknown> = {};
      if (servers) {
        const database = await postgres.createDatabase();
        const vhost = await rabbitmq.createVhost();
        cleanup = async () => {
          await vhost.delete();
          await database.drop();
        };
        config = { database: { url: database.url }, transport: { url: vhost.url } };
      }
      // Monday 23 November 2026, 10:00 in London: tomorrow's cut-off (20:00 tonight) is still ahead.
      milkround = await startMilkround({
        modules: milkroundModules(),
        clock: testClock('2026-11-23T10:00:00Z'),
        config,
      });
    });

    after(async () => {
      await milkround.stop();
      await cleanup();
    });

    it('joins, orders, plans, delivers, charges, and refunds a complaint', { timeout: 60_000 }, async () => {
      await journey(milkround.request, 'c-ada', '2026-11-24');
    });
  });
}

describe('milkround end to end, split into two processes by profile (PostgreSQL + RabbitMQ)', {
  skip: postgres.skip || rabbitmq.skip,
}, () => {
  const children: ChildProcess[] = [];
  const urls: Record<string, string> = {};
  let cleanup = async () => {};

  before(async () => {
    const database = await postgres.createDatabase();
    const vhost = await rabbitmq.createVhost();
    cleanup = async () => {
      await vhost.delete();
      await database.drop();
    };
    // The storefront (memberships, orders, returns) and the back office (deliveries, billing) only
    // share the broker and the database server; each migrates and serves its own modules.
    for (const profile of ['storefront', 'operations']) {
      const { child, url } = await startListeningProcess(main, {
        env: {
          DATABASE_URL: database.url,
          RABBITMQ_URL: vhost.url,
          SWITCHYARD_PROFILE: profile,
          SWITCHYARD_HTTP__PORT: '0',
          SWITCHYARD_SEED__DEMO_DATA: 'false',
        },
      });
      children.push(child);
      urls[profile] = url;
    }
  });

  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    const codes = await Promise.all(children.map(async (child) => (await once(child, 'exit'))[0]));
    await cleanup();
    assert.deepEqual(codes, [0, 0], 'both processes stopped cleanly');
  });

  it('runs the same journey with each request sent to the process that serves it', {
    timeout: 90_000,
  }, async () => {
    const operations = /^\/(deliveries|billing)\//;
    const storefront = jsonRequester(urls.storefront ?? '');
    const backOffice = jsonRequester(urls.operations ?? '');
    const request: Request = (method, path, body) =>
      (operations.test(path) ? backOffice : storefront)(method, path, body);
    // Real time here: three days ahead is well before any cut-off.
    const deliveryDate = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    await journey(request, 'c-split', deliveryDate);
  });
});
