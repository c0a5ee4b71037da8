import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Bus, defineMessage, uuidv7 } from '@switchyard/bus';
import { PostgresErrorQueues } from '@switchyard/postgres';
import { z } from 'zod';
import { CustomerCharged, RefundIssued, RefundRefused } from '../../src/modules/billing/contracts.ts';
import { billingModule } from '../../src/modules/billing/module.ts';
import { DeliveryCompleted } from '../../src/modules/deliveries/contracts.ts';
import { MemberJoined } from '../../src/modules/memberships/contracts.ts';
import { BottlesReturned, RefundRequested } from '../../src/modules/returns/contracts.ts';
import { eventually, type RunningMilkround, startMilkround } from '../support/milkround-host.ts';
import { messageWatcher } from './message-watcher.ts';

const watcher = messageWatcher('billingwatch', [CustomerCharged, RefundIssued, RefundRefused]);

/** RefundIssued (with `issued`: its amount) or RefundRefused (with `refused`: its reason). */
type Answer = { refundId: string; complaintId: string } & ({ issued: number } | { refused: string });

interface Invoice {
  timeZone: string;
  currency: string;
  charges: { deliveryId: string; deliveryDate: string; amountMinor: number; lines: unknown[] }[];
  refunds: { refundId: string; deliveryId: string; sku: string; quantity: number; amountMinor: number }[];
  credits: { creditId: string; bottles: number; amountMinor: number; creditedOn: string }[];
  chargedMinor: number;
  refundedMinor: number;
  creditedMinor: number;
  totalMinor: number;
}

describe('billing', () => {
  let running: RunningMilkround;
  let bus: Bus;

  before(async () => {
    running = await startMilkround({ modules: [billingModule(), watcher.module] });
    bus = running.host.bus as Bus;
  });
  after(() => running?.stop());

  /** Publishes a delivery and waits until billing has charged it. */
  async function deliver(delivery: {
    deliveryId: string;
    customerId: string;
    deliveryDate: string;
    lines: { sku: string; quantity: number; unitPriceMinor: number }[];
  }) {
    await bus.publish(DeliveryCompleted, delivery);
    return eventually(
      async () => watcher.seen(CustomerCharged, (each) => each.deliveryId === delivery.deliveryId)[0],
    );
  }

  /** Asks for a refund and waits for billing's answer to it. */
  async function askRefund(ask: { customerId: string; deliveryId: string; sku: string; quantity: number }) {
    const refundId = uuidv7();
    await bus.publish(RefundRequested, { refundId, complaintId: `complaint-${refundId}`, ...ask });
    const [answer] = await answersTo(refundId);
    return answer as Answer;
  }

  /** Billing's answers to one refund id, once there are `count` of them. */
  function answersTo(refundId: string, count = 1): Promise<Answer[]> {
    return eventually(async () => {
      const answers: Answer[] = [
        ...watcher
          .seen(RefundIssued, (each) => each.refundId === refundId)
          .map((each) => ({ issued: each.message.amountMinor, ...each.message })),
        ...watcher
          .seen(RefundRefused, (each) => each.refundId === refundId)
          .map((each) => ({ refused: each.message.reason, ...each.message })),
      ];
      return answers.length >= count ? answers : undefined;
    });
  }

  async function invoice(customerId: string, period: string) {
    const response = await running.request('GET', `/billing/customers/${customerId}/invoices/${period}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body as Invoice;
  }

  it('charges a delivery once when DeliveryCompleted comes again, under the same or a new message id', async () => {
    const delivery = {
      deliveryId: 'd-once',
      customerId: 'c-once',
      deliveryDate: '2026-11-20',
      lines: [
        { sku: 'milk-1pt', quantity: 2, unitPriceMinor: 95 },
        { sku: 'eggs-6', quantity: 1, unitPriceMinor: 250 },
      ],
    };
    const messageId = uuidv7();
    await bus.publish(DeliveryCompleted, delivery, { messageId });
    await bus.publish(DeliveryCompleted, delivery, { messageId });
    await bus.publish(DeliveryCompleted, delivery);
    // A later delivery to the same endpoint: once it is charged, the copies before it have been handled.
    await deliver({ ...delivery, deliveryId: 'd-once-after', deliveryDate: '2026-11-21' });
    await new Promise((resolve) => setTimeout(resolve, 200));

    const charged = watcher.seen(CustomerCharged, (each) => each.deliveryId === 'd-once');
    assert.equal(charged.length, 1, 'one CustomerCharged for the delivery');
    assert.equal(charged[0]?.message.amountMinor, 2 * 95 + 250);
    const november = await invoice('c-once', '2026-11');
    assert.deepEqual(
      november.charges.map((each) => [each.deliveryId, each.amountMinor]),
      [
        ['d-once', 440],
        ['d-once-after', 440],
      ],
    );
    assert.deepEqual(november.charges[0]?.lines, [
      { sku: 'milk-1pt', quantity: 2, unitPriceMinor: 95, totalMinor: 190 },
      { sku: 'eggs-6', quantity: 1, unitPriceMinor: 250, totalMinor: 250 },
    ]);
    assert.equal(november.totalMinor, 880);
  });

  it("lists a month's charges by delivery date, and answers 404 or 400 for a month with nothing or a bad month", async () => {
    const customerId = 'c-months';
    const line = { sku: 'milk-1pt', quantity: 1, unitPriceMinor: 95 };
    await deliver({ deliveryId: 'd-m-late', customerId, deliveryDate: '2026-11-28', lines: [line] });
    await deliver({ deliveryId: 'd-m-early', customerId, deliveryDate: '2026-11-02', lines: [line, line] });
    await deliver({ deliveryId: 'd-m-dec', customerId, deliveryDate: '2026-12-01', lines: [line] });

    const november = await invoice(customerId, '2026-11');
    assert.deepEqual(
      november.charges.map((each) => [each.deliveryDate, each.deliveryId]),
      [
        ['2026-11-02', 'd-m-early'],
        ['2026-11-28', 'd-m-late'],
      ],
    );
    assert.equal(november.chargedMinor, 3 * 95);
    assert.deepEqual(
      (await invoice(customerId, '2026-12')).charges.map((each) => each.deliveryId),
      ['d-m-dec'],
    );

    const empty = await running.request('GET', `/billing/customers/${customerId}/invoices/2026-10`);
    assert.equal(empty.status, 404);
    assert.match(
      (empty.body as { detail: string }).detail,
      /Nothing was billed to customer c-months in 2026-10/,
    );
    assert.equal((await running.request('GET', '/billing/customers/c-nobody/invoices/2026-11')).status, 404);
    assert.equal((await running.request('GET', '/billing/customers/c-nobody/balance')).status, 404);
    const bad = await running.request('GET', `/billing/customers/${customerId}/invoices/2026-13`);
    assert.equal(bad.status, 400);
  });

  it('refunds at the charged price, never more than was charged, and answers a repeated refund id the same way once', async () => {
    const customerId = 'c-refunds';
    await deliver({
      deliveryId: 'd-r',
      customerId,
      deliveryDate: '2026-11-22',
      lines: [
        { sku: 'milk-1pt', quantity: 3, unitPriceMinor: 95 },
        { sku: 'eggs-6', quantity: 1, unitPriceMinor: 250 },
      ],
    });
    const line = { customerId, deliveryId: 'd-r', sku: 'milk-1pt' };

    const first = await askRefund({ ...line, quantity: 2 });
    assert.ok('issued' in first && first.issued === 190, JSON.stringify(first));
    // Asked for 5, but only 1 unit of the line is left to refund.
    const capped = await askRefund({ ...line, quantity: 5 });
    assert.ok('issued' in capped && capped.issued === 95, JSON.stringify(capped));
    const none = await askRefund({ ...line, quantity: 1 });
    assert.ok('refused' in none, JSON.stringify(none));
    assert.equal(none.refused, 'SKU milk-1pt on delivery d-r is already fully refunded (3 of 3 units)');

    // The same refund asked again under a new message id and another complaint id: the first answer
    // again (for the complaint it was made for), and no second refund.
    await bus.publish(RefundRequested, {
      ...line,
      refundId: first.refundId,
      complaintId: 'another',
      quantity: 2,
    });
    assert.deepEqual(await answersTo(first.refundId, 2), [first, first]);

    const november = await invoice(customerId, '2026-11');
    assert.deepEqual(
      november.refunds.map((each) => [each.sku, each.quantity, each.amountMinor]),
      [
        ['milk-1pt', 2, 190],
        ['milk-1pt', 1, 95],
      ],
    );
    assert.equal(november.refundedMinor, 285);
    assert.equal(november.totalMinor, 3 * 95 + 250 - 285);
  });

  it('refuses a refund for a delivery never charged, charged to someone else, or for a SKU it did not charge', async () => {
    const refusal = async (ask: { customerId: string; deliveryId: string; sku: string }) => {
      const answer = await askRefund({ ...ask, quantity: 1 });
      return 'refused' in answer ? answer.refused : `issued ${answer.issued}`;
    };
    assert.equal(
      await refusal({ customerId: 'c-x', deliveryId: 'd-never', sku: 'milk-1pt' }),
      'Nothing was charged for delivery d-never',
    );
    await deliver({
      deliveryId: 'd-other',
      customerId: 'c-owner',
      deliveryDate: '2026-11-22',
      lines: [{ sku: 'milk-1pt', quantity: 1, unitPriceMinor: 95 }],
    });
    assert.equal(
      await refusal({ customerId: 'c-x', deliveryId: 'd-other', sku: 'milk-1pt' }),
      'Delivery d-other was charged to another customer, not to c-x',
    );
    assert.equal(
      await refusal({ customerId: 'c-owner', deliveryId: 'd-other', sku: 'cream' }),
      'Nothing was charged for SKU cream on delivery d-other',
    );
    const balance = await running.request('GET', '/billing/customers/c-owner/balance');
    assert.deepEqual(balance.body, {
      customerId: 'c-owner',
      currency: 'GBP',
      chargedMinor: 95,
      refundedMinor: 0,
      creditedMinor: 0,
      balanceMinor: 95,
    });
  });

  it('credits 20 a bottle once per return, in the month of the customer’s own time zone', async () => {
    await bus.publish(MemberJoined, {
      customerId: 'c-ny',
      name: 'Ada',
      region: 'US',
      postcode: '10001',
      plan: 'weekly',
      discountPercent: 0,
      joinedAt: '2026-11-01T12:00:00Z',
    });
    // 03:00 UTC on 1 December is still 30 November in New York, and already 1 December in London.
    running.clock.set('2026-12-01T03:00:00Z');
    try {
      const returned = { returnId: uuidv7(), customerId: 'c-ny', bottles: 3 };
      await bus.publish(BottlesReturned, returned);
      await bus.publish(BottlesReturned, returned);
      await bus.publish(BottlesReturned, { returnId: uuidv7(), customerId: 'c-london', bottles: 2 });
      // The region is read when the invoice is, so the month is right whichever message billing took first.
      const london = await eventually(async () => {
        const response = await running.request('GET', '/billing/customers/c-london/invoices/2026-12');
        return response.status === 200 ? (response.body as Invoice) : undefined;
      });
      await eventually(async () => {
        const response = await running.request('GET', '/billing/customers/c-ny/invoices/2026-11');
        return response.status === 200 ? true : undefined;
      });
      // The copy of the return was published before the London one, which billing has handled.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const ny = await invoice('c-ny', '2026-11');
      assert.equal(ny.timeZone, 'America/New_York');
      assert.equal(ny.currency, 'USD');
      assert.equal(
        london.currency,
        'GBP',
        'a customer billing has not heard of is billed where the business started',
      );
      assert.deepEqual(
        ny.credits.map((each) => [each.bottles, each.amountMinor, each.creditedOn]),
        [[3, 60, '2026-11-30']],
      );
      assert.equal(ny.totalMinor, -60);
      assert.deepEqual(
        london.credits.map((each) => [each.bottles, each.amountMinor, each.creditedOn]),
        [[2, 40, '2026-12-01']],
      );
      const balance = await running.request('GET', '/billing/customers/c-ny/balance');
      assert.deepEqual(balance.body, {
        customerId: 'c-ny',
        currency: 'USD',
        chargedMinor: 0,
        refundedMinor: 0,
        creditedMinor: 60,
        balanceMinor: -60,
      });
    } finally {
      running.clock.set('2026-11-23T10:00:00Z');
    }
  });
  it('charges a US customer in USD, by minor unit, also for a DeliveryCompleted the previous release sent', async () => {
    // DeliveryCompleted as the release before decision 0026 defined it: queued or outboxed messages of
    // that release still arrive in this shape.
    const PreviousDeliveryCompleted = defineMessage(
      'milkround.deliveries.DeliveryCompleted',
      z.object({
        deliveryId: z.string(),
        customerId: z.string(),
        deliveryDate: z.string(),
        lines: z.array(z.object({ sku: z.string(), quantity: z.number(), unitPricePence: z.number() })),
      }),
    );
    await bus.publish(MemberJoined, {
      customerId: 'c-boston',
      name: 'Grace',
      region: 'US',
      postcode: '02108',
      plan: 'weekly',
      discountPercent: 0,
      joinedAt: '2026-11-01T12:00:00Z',
    });
    // Once billing has charged a later message on the same endpoint, it has taken MemberJoined too.
    await deliver({
      deliveryId: 'd-boston-marker',
      customerId: 'c-marker',
      deliveryDate: '2026-11-01',
      lines: [{ sku: 'milk-1pt', quantity: 1, unitPriceMinor: 95 }],
    });
    await bus.publish(PreviousDeliveryCompleted, {
      deliveryId: 'd-boston',
      customerId: 'c-boston',
      deliveryDate: '2026-11-20',
      lines: [{ sku: 'eggs-6', quantity: 2, unitPricePence: 349 }],
    });
    const charged = await eventually(
      async () => watcher.seen(CustomerCharged, (each) => each.deliveryId === 'd-boston')[0],
    );
    assert.deepEqual(
      { amountMinor: charged.message.amountMinor, currency: charged.message.currency },
      { amountMinor: 698, currency: 'USD' },
    );
    const november = await invoice('c-boston', '2026-11');
    assert.equal(november.currency, 'USD');
    assert.deepEqual(november.charges[0]?.lines, [
      { sku: 'eggs-6', quantity: 2, unitPriceMinor: 349, totalMinor: 698 },
    ]);
    assert.deepEqual((await running.request('GET', '/billing/customers/c-boston/balance')).body, {
      customerId: 'c-boston',
      currency: 'USD',
      chargedMinor: 698,
      refundedMinor: 0,
      creditedMinor: 0,
      balanceMinor: 698,
    });
    const refund = await askRefund({
      customerId: 'c-boston',
      deliveryId: 'd-boston',
      sku: 'eggs-6',
      quantity: 1,
    });
    const issued = watcher.seen(RefundIssued, (each) => each.refundId === refund.refundId)[0];
    assert.deepEqual(
      { amountMinor: issued?.message.amountMinor, currency: issued?.message.currency },
      { amountMinor: 349, currency: 'USD' },
    );
  });

  it('refuses a return that reuses a credited return id for other bottles, into the error queue with the reason', async () => {
    const returnId = uuidv7();
    await bus.publish(BottlesReturned, { returnId, customerId: 'c-reuse', bottles: 2 });
    await eventually(async () => {
      const response = await running.request('GET', '/billing/customers/c-reuse/balance');
      return response.status === 200 ? true : undefined;
    });
    await bus.publish(BottlesReturned, { returnId, customerId: 'c-reuse', bottles: 5 });
    const errors = new PostgresErrorQueues(running.host.sql as NonNullable<typeof running.host.sql>);
    const [refused] = await eventually(async () => {
      const found = await errors.list('billing_error');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(refused?.fault.exceptionType, 'MessageRefusedError');
    assert.match(
      String(refused?.fault.message),
      /Return id "[^"]+" was credited already for a different return \(2 bottles/,
    );
    assert.equal(refused?.fault.retryCount, 0, 'refused at once: retrying cannot change the answer');
    const balance = await running.request('GET', '/billing/customers/c-reuse/balance');
    assert.equal(
      (balance.body as { creditedMinor: number }).creditedMinor,
      40,
      'credited once, for the first return',
    );
  });
});
