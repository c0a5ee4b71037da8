import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Bus, uuidv7 } from '@switchyard/bus';
import { RefundIssued } from '../../src/modules/billing/contracts.ts';
import { billingModule } from '../../src/modules/billing/module.ts';
import { DeliveryCompleted } from '../../src/modules/deliveries/contracts.ts';
import { MemberJoined } from '../../src/modules/memberships/contracts.ts';
import { ComplaintResolved } from '../../src/modules/returns/contracts.ts';
import { returnsModule } from '../../src/modules/returns/module.ts';
import { messageWatcher } from '../billing/message-watcher.ts';
import { eventually, type RunningMilkround, startMilkround, testClock } from '../support/milkround-host.ts';

const watcher = messageWatcher('returnswatch', [ComplaintResolved]);

interface Complaint {
  complaintId: string;
  status: string;
  amountMinor: number;
  currency: string | null;
  refusalReason: string | null;
  escalatedAt: string | null;
}

/** The date and month of `time` in London, where these customers live. */
function londonDate(time: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(time);
}

describe('complaints and bottle returns, with billing', () => {
  let running: RunningMilkround;
  let bus: Bus;
  let today: string;
  let period: string;

  before(async () => {
    // The host's scheduler fires saga timeouts by the real clock, so this clock starts at the real time:
    // the complaints' one-day timeouts then lie a day ahead by either clock, and never fire here.
    const clock = testClock(new Date());
    running = await startMilkround({ modules: [billingModule(), returnsModule(), watcher.module], clock });
    bus = running.host.bus as Bus;
    today = londonDate(clock.now());
    period = today.slice(0, 7);
  });
  after(() => running?.stop());

  async function deliverAndCharge(deliveryId: string, customerId: string, milk: number) {
    await bus.publish(DeliveryCompleted, {
      deliveryId,
      customerId,
      deliveryDate: today,
      lines: [
        { sku: 'milk-1pt', quantity: milk, unitPriceMinor: 95 },
        { sku: 'eggs-6', quantity: 1, unitPriceMinor: 250 },
      ],
    });
    await eventually(async () => {
      const response = await running.request('GET', `/billing/customers/${customerId}/balance`);
      return response.status === 200 ? true : undefined;
    });
  }

  async function complain(body: { customerId: string; deliveryId: string; sku: string; quantity: number }) {
    const response = await running.request('POST', '/returns/complaints', {
      ...body,
      reason: 'bottle was cracked',
    });
    assert.equal(response.status, 202, JSON.stringify(response.body));
    return (response.body as { complaintId: string }).complaintId;
  }

  /** Waits until the complaint is no longer open, and returns it. */
  async function settled(complaintId: string): Promise<Complaint> {
    return eventually(async () => {
      const response = await running.request('GET', `/returns/complaints/${complaintId}`);
      const complaint = response.body as Complaint;
      return response.status === 200 && complaint.status !== 'open' ? complaint : undefined;
    });
  }

  it('refunds a complaint about a charged delivery at the charged price, and the invoice shows the refund', async () => {
    await deliverAndCharge('d-cracked', 'c-cracked', 2);
    const complaintId = await complain({
      customerId: 'c-cracked',
      deliveryId: 'd-cracked',
      sku: 'milk-1pt',
      quantity: 1,
    });

    const complaint = await settled(complaintId);
    assert.equal(complaint.status, 'refunded');
    assert.equal(complaint.amountMinor, 95);
    assert.equal(
      complaint.currency,
      'GBP',
      'billing never heard of the customer: billed where the business started',
    );
    const resolved = await eventually(
      async () => watcher.seen(ComplaintResolved, (each) => each.complaintId === complaintId)[0],
    );
    assert.deepEqual(resolved.message, {
      complaintId,
      outcome: 'refunded',
      amountMinor: 95,
      currency: 'GBP',
    });

    const invoice = await running.request('GET', `/billing/customers/c-cracked/invoices/${period}`);
    const body = invoice.body as {
      refunds: { complaintId: string; amountMinor: number }[];
      totalMinor: number;
    };
    assert.deepEqual(
      body.refunds.map((each) => [each.complaintId, each.amountMinor]),
      [[complaintId, 95]],
    );
    assert.equal(body.totalMinor, 2 * 95 + 250 - 95);
  });

  it('refunds a US customer in USD: the customer’s region decides the currency billing refunds in', async () => {
    await bus.publish(MemberJoined, {
      customerId: 'c-austin',
      name: 'Lin',
      region: 'US',
      postcode: '73301',
      plan: 'weekly',
      discountPercent: 0,
      joinedAt: new Date().toISOString(),
    });
    await deliverAndCharge('d-austin', 'c-austin', 1);
    await eventually(async () => {
      const balance = await running.request('GET', '/billing/customers/c-austin/balance');
      return (balance.body as { currency?: string }).currency === 'USD' ? true : undefined;
    });
    const complaintId = await complain({
      customerId: 'c-austin',
      deliveryId: 'd-austin',
      sku: 'eggs-6',
      quantity: 1,
    });
    const complaint = await settled(complaintId);
    assert.deepEqual([complaint.status, complaint.amountMinor, complaint.currency], ['refunded', 250, 'USD']);
    const resolved = await eventually(
      async () => watcher.seen(ComplaintResolved, (each) => each.complaintId === complaintId)[0],
    );
    assert.equal(resolved.message.currency, 'USD');
  });

  it('refuses a complaint about something never charged, saying why', async () => {
    const complaintId = await complain({
      customerId: 'c-ghost',
      deliveryId: 'd-ghost',
      sku: 'milk-1pt',
      quantity: 1,
    });
    const complaint = await settled(complaintId);
    assert.equal(complaint.status, 'refused');
    assert.equal(complaint.amountMinor, 0);
    assert.equal(complaint.currency, null, 'nothing refunded, in no currency');
    assert.equal(complaint.refusalReason, 'Nothing was charged for delivery d-ghost');
    const resolved = await eventually(
      async () => watcher.seen(ComplaintResolved, (each) => each.complaintId === complaintId)[0],
    );
    assert.equal(resolved.message.outcome, 'refused');
  });

  it('never refunds more of a line than was charged, however many complaints there are', async () => {
    await deliverAndCharge('d-twice', 'c-twice', 3);
    const line = { customerId: 'c-twice', deliveryId: 'd-twice', sku: 'milk-1pt' };
    const first = await settled(await complain({ ...line, quantity: 2 }));
    const second = await settled(await complain({ ...line, quantity: 2 }));
    const third = await settled(await complain({ ...line, quantity: 1 }));
    assert.deepEqual(
      [first, second, third].map((each) => [each.status, each.amountMinor]),
      [
        ['refunded', 190],
        ['refunded', 95],
        ['refused', 0],
      ],
    );
    assert.match(third.refusalReason ?? '', /already fully refunded \(3 of 3 units\)/);
    const balance = await running.request('GET', '/billing/customers/c-twice/balance');
    assert.deepEqual(balance.body, {
      customerId: 'c-twice',
      currency: 'GBP',
      chargedMinor: 3 * 95 + 250,
      refundedMinor: 3 * 95,
      creditedMinor: 0,
      balanceMinor: 250,
    });
  });

  it('resolves a complaint once, however often its RefundIssued arrives', async () => {
    await deliverAndCharge('d-dup', 'c-dup', 1);
    const complaintId = await complain({
      customerId: 'c-dup',
      deliveryId: 'd-dup',
      sku: 'milk-1pt',
      quantity: 1,
    });
    const refunded = await settled(complaintId);
    const issued = await eventually(
      async () => watcher.seen(ComplaintResolved, (each) => each.complaintId === complaintId)[0],
    );
    assert.ok(issued);

    // The same answer again under a new message id, and a stray one with another amount.
    const answer = { refundId: uuidv7(), complaintId, customerId: 'c-dup', amountMinor: 95 };
    await bus.publish(RefundIssued, answer);
    await bus.publish(RefundIssued, { ...answer, amountMinor: 9_999 });
    // A later complaint through the same saga endpoint: once it is resolved, the copies were handled.
    await settled(
      await complain({ customerId: 'c-dup', deliveryId: 'd-none', sku: 'milk-1pt', quantity: 1 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    assert.equal(watcher.seen(ComplaintResolved, (each) => each.complaintId === complaintId).length, 1);
    const after = await running.request('GET', `/returns/complaints/${complaintId}`);
    assert.deepEqual(after.body, refunded);
  });

  it('files a complaint once per complaintId the client chose, and refuses that id for another complaint', async () => {
    await deliverAndCharge('d-resent', 'c-resent', 3);
    const complaintId = uuidv7();
    const complaint = {
      complaintId,
      customerId: 'c-resent',
      deliveryId: 'd-resent',
      sku: 'milk-1pt',
      quantity: 1,
      reason: 'sour',
    };
    const first = await running.request('POST', '/returns/complaints', complaint);
    assert.deepEqual([first.status, first.body], [202, { complaintId }]);
    const refunded = await settled(complaintId);
    // Sent again after it was filed (its answer lost): the same answer, and no second refund.
    const again = await running.request('POST', '/returns/complaints', complaint);
    assert.deepEqual([again.status, again.body], [202, { complaintId }]);

    const other = await running.request('POST', '/returns/complaints', { ...complaint, quantity: 2 });
    assert.equal(other.status, 409);
    assert.equal((other.body as { title: string }).title, 'Complaint id already used');
    assert.match((other.body as { detail: string }).detail, /1 × milk-1pt of delivery "d-resent"/);
    const otherReason = await running.request('POST', '/returns/complaints', {
      ...complaint,
      reason: 'broken',
    });
    assert.equal(otherReason.status, 409, 'the same id with another reason is another complaint');

    // A later complaint through the same endpoints: once it is resolved, anything sent before was handled.
    await settled(
      await complain({ customerId: 'c-resent', deliveryId: 'd-resent', sku: 'milk-1pt', quantity: 1 }),
    );
    assert.deepEqual((await running.request('GET', `/returns/complaints/${complaintId}`)).body, refunded);
    const balance = await running.request('GET', '/billing/customers/c-resent/balance');
    assert.equal(
      (balance.body as { refundedMinor: number }).refundedMinor,
      2 * 95,
      'one refund per complaint',
    );
  });

  it('credits the deposit of returned bottles to the account, once per return id', async () => {
    const customerId = 'c-bottles';
    const first = await running.request('POST', '/returns/bottles', { customerId, bottles: 4 });
    assert.equal(first.status, 202);
    const returnId = (first.body as { returnId: string }).returnId;
    const retried = await running.request('POST', '/returns/bottles', { customerId, bottles: 4, returnId });
    assert.deepEqual(retried.body, { returnId });
    await running.request('POST', '/returns/bottles', { customerId, bottles: 1 });

    const balance = await eventually(async () => {
      const response = await running.request('GET', `/billing/customers/${customerId}/balance`);
      const body = response.body as { creditedMinor: number };
      return response.status === 200 && body.creditedMinor >= 100 ? body : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const settledBalance = await running.request('GET', `/billing/customers/${customerId}/balance`);
    assert.deepEqual(settledBalance.body, balance);
    assert.deepEqual(balance, {
      customerId,
      currency: 'GBP',
      chargedMinor: 0,
      refundedMinor: 0,
      creditedMinor: 100,
      balanceMinor: -100,
    });
  });

  it('answers 400 for an invalid complaint or return and 404 for an unknown complaint', async () => {
    const invalid = await running.request('POST', '/returns/complaints', {
      customerId: 'c-1',
      deliveryId: 'd-1',
      sku: 'milk-1pt',
      quantity: 0,
      reason: 'sour',
    });
    assert.equal(invalid.status, 400);
    assert.deepEqual(
      (invalid.body as { errors: { path: string }[] }).errors.map((each) => each.path),
      ['body.quantity'],
    );
    assert.equal(
      (await running.request('POST', '/returns/bottles', { customerId: 'c-1', bottles: -2 })).status,
      400,
    );
    const unknown = await running.request('GET', `/returns/complaints/${uuidv7()}`);
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body as { title: string }).title, 'Complaint not found');
  });
});
