import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresForTests, rabbitmqForTests } from '@switchyard/testing';
import { milkroundModules } from '../src/app.ts';
import { eventually, type RunningMilkround, startMilkround, testClock } from './support/milkround-host.ts';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

/** The two ways the reference system runs: embedded in one process, and on PostgreSQL with RabbitMQ. */
const modes = [
  { name: 'embedded (PGlite, PostgreSQL transport)', skip: false as const, servers: false },
  { name: 'PostgreSQL + RabbitMQ', skip: postgres.skip || rabbitmq.skip, servers: true },
];

interface Plan {
  rounds: { deliveries: { deliveryId: string; customerId: string; lines: { unitPricePence: number }[] }[] }[];
}
interface Invoice {
  charges: { deliveryId: string; amountPence: number }[];
  refunds: { amountPence: number }[];
  totalPence: number;
}

for (const mode of modes) {
  describe(`milkround end to end (${mode.name})`, { skip: mode.skip }, () => {
    let milkround: RunningMilkround;
    let cleanup = async () => {};

    before(async () => {
      let config: Record<string, unknown> = {};
      if (mode.servers) {
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

    const customerId = 'c-ada';
    let deliveryId = '';
    let unitPrice = 0;

    it('joins, orders, plans, delivers and charges', { timeout: 60_000 }, async () => {
      const joined = await milkround.request('POST', '/memberships', {
        customerId,
        name: 'Ada Lovelace',
        region: 'UK',
        postcode: 'M1 1AE',
        plan: 'plus',
      });
      assert.equal(joined.status, 201, JSON.stringify(joined.body));

      // Orders learns of the member by message; until then it does not know the customer.
      const standing = await eventually(async () => {
        const answer = await milkround.request('POST', '/orders/standing', {
          customerId,
          lines: [{ sku: 'milk-1pt', quantity: 2 }],
          weekdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
        });
        return answer.status === 404 ? undefined : answer;
      });
      assert.equal(standing.status, 201, JSON.stringify(standing.body));

      const run = await milkround.request('POST', '/deliveries/runs', { deliveryDate: '2026-11-24' });
      assert.equal(run.status, 202, JSON.stringify(run.body));
      const delivery = await eventually(async () => {
        const plan = await milkround.request('GET', '/deliveries/runs/2026-11-24');
        if (plan.status !== 200) return undefined;
        return (plan.body as Plan).rounds
          .flatMap((round) => round.deliveries)
          .find((each) => each.customerId === customerId);
      });
      deliveryId = delivery.deliveryId;
      unitPrice = delivery.lines[0]?.unitPricePence ?? 0;
      assert.ok(unitPrice > 0, 'priced with the member discount');

      for (const [type, sequence] of [
        ['loaded', 1],
        ['delivered', 2],
      ] as const) {
        const event = await milkround.request('POST', `/deliveries/${deliveryId}/events`, {
          type,
          sequence,
          at: '2026-11-24T06:30:00Z',
        });
        assert.equal(event.status, 202, JSON.stringify(event.body));
      }
      const invoice = await eventually(async () => {
        const answer = await milkround.request('GET', `/billing/customers/${customerId}/invoices/2026-11`);
        return answer.status === 200 ? (answer.body as Invoice) : undefined;
      });
      assert.deepEqual(
        invoice.charges.map((charge) => [charge.deliveryId, charge.amountPence]),
        [[deliveryId, 2 * unitPrice]],
      );
    });

    it('turns a complaint into a refund on the invoice', { timeout: 60_000 }, async () => {
      assert.ok(deliveryId, 'the first test delivered');
      const filed = await milkround.request('POST', '/returns/complaints', {
        customerId,
        deliveryId,
        sku: 'milk-1pt',
        quantity: 1,
        reason: 'The milk was sour',
      });
      assert.equal(filed.status, 202, JSON.stringify(filed.body));
      const { complaintId } = filed.body as { complaintId: string };
      const complaint = await eventually(async () => {
        const answer = await milkround.request('GET', `/returns/complaints/${complaintId}`);
        const body = answer.body as { status?: string; amountPence?: number };
        return answer.status === 200 && body.status === 'refunded' ? body : undefined;
      });
      assert.equal(complaint.amountPence, unitPrice);
      const invoice = (await milkround.request('GET', `/billing/customers/${customerId}/invoices/2026-11`))
        .body as Invoice;
      assert.deepEqual(
        invoice.refunds.map((refund) => refund.amountPence),
        [unitPrice],
      );
      assert.equal(invoice.totalPence, unitPrice, 'two pints charged, one refunded');
    });
  });
}
