import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Bus } from '@switchyard/bus';
import { RefundIssued, RefundRefused } from '../../src/modules/billing/contracts.ts';
import { ComplaintResolved, RefundRequested } from '../../src/modules/returns/contracts.ts';
import { returnsModule } from '../../src/modules/returns/module.ts';
import { messageWatcher } from '../billing/message-watcher.ts';
import {
  eventually,
  type RunningMilkround,
  startMilkround,
  type TestClock,
} from '../support/milkround-host.ts';

// No billing module here: the tests play billing, answering late or not at all.
const watcher = messageWatcher('escalationwatch', [RefundRequested, ComplaintResolved]);
const timeoutMs = 1_500;

// The host's scheduler fires saga timeouts by the real clock, so the saga reads the real clock too.
const realClock: TestClock = {
  now: () => Date.now(),
  set: () => {
    throw new Error('These tests run on the real clock');
  },
  advance: () => {
    throw new Error('These tests run on the real clock');
  },
};

interface Complaint {
  status: string;
  amountPence: number;
  refusalReason: string | null;
  escalatedAt: string | null;
  resolvedAt: string | null;
}

describe('a complaint billing does not answer in time', () => {
  let running: RunningMilkround;
  let bus: Bus;

  before(async () => {
    running = await startMilkround({
      modules: [returnsModule({ refundAnswerTimeoutMs: timeoutMs }), watcher.module],
      clock: realClock,
    });
    bus = running.host.bus as Bus;
  });
  after(() => running?.stop());

  async function complain(customerId: string) {
    const response = await running.request('POST', '/returns/complaints', {
      customerId,
      deliveryId: `d-${customerId}`,
      sku: 'milk-1pt',
      quantity: 1,
      reason: 'never arrived',
    });
    assert.equal(response.status, 202);
    const { complaintId } = response.body as { complaintId: string };
    const requested = await eventually(
      async () => watcher.seen(RefundRequested, (each) => each.complaintId === complaintId)[0],
    );
    return { complaintId, refundId: requested.message.refundId };
  }

  async function complaint(complaintId: string) {
    const response = await running.request('GET', `/returns/complaints/${complaintId}`);
    assert.equal(response.status, 200);
    return response.body as Complaint;
  }

  async function reaches(complaintId: string, status: string) {
    return eventually(async () => {
      const current = await complaint(complaintId);
      return current.status === status ? current : undefined;
    });
  }

  it('escalates once the timeout passes without an answer, and a late refusal still resolves it', async () => {
    const filedAt = Date.now();
    const { complaintId, refundId } = await complain('c-slow');
    assert.equal((await complaint(complaintId)).status, 'open');

    const escalated = await reaches(complaintId, 'escalated');
    assert.ok(Date.now() - filedAt >= timeoutMs, 'not escalated before the timeout');
    assert.ok(escalated.escalatedAt);
    assert.equal(watcher.seen(ComplaintResolved, (each) => each.complaintId === complaintId).length, 0);

    await bus.publish(RefundRefused, {
      refundId,
      complaintId,
      reason: 'Nothing was charged for delivery d-c-slow',
    });
    const refused = await reaches(complaintId, 'refused');
    assert.equal(refused.refusalReason, 'Nothing was charged for delivery d-c-slow');
    const resolved = await eventually(
      async () => watcher.seen(ComplaintResolved, (each) => each.complaintId === complaintId)[0],
    );
    assert.equal(resolved.message.outcome, 'refused');
  });

  it('does not escalate a complaint answered in time', async () => {
    const { complaintId, refundId } = await complain('c-quick');
    await bus.publish(RefundIssued, { refundId, complaintId, customerId: 'c-quick', amountPence: 95 });
    await reaches(complaintId, 'refunded');
    await new Promise((resolve) => setTimeout(resolve, timeoutMs + 500));
    const later = await complaint(complaintId);
    assert.equal(later.status, 'refunded');
    assert.equal(later.amountPence, 95);
    assert.equal(later.escalatedAt, null);
  });
});
