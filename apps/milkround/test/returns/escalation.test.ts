import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Bus, defineMessage, uuidv7 } from '@switchyard/bus';
import { PostgresSagaStore } from '@switchyard/postgres';
import { z } from 'zod';
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
  amountMinor: number;
  currency: string | null;
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
    await bus.publish(RefundIssued, {
      refundId,
      complaintId,
      customerId: 'c-quick',
      amountMinor: 95,
      currency: 'USD',
    });
    await reaches(complaintId, 'refunded');
    await new Promise((resolve) => setTimeout(resolve, timeoutMs + 500));
    const later = await complaint(complaintId);
    assert.equal(later.status, 'refunded');
    assert.equal(later.amountMinor, 95);
    assert.equal(later.currency, 'USD', 'the currency billing refunded in');
    assert.equal(later.escalatedAt, null);
  });

  it('reads complaints and refunds as the previous release stored and sent them, amounts named in pence', async () => {
    const sql = running.host.sql;
    assert.ok(sql);
    const store = new PostgresSagaStore(sql);
    // Complaint saga data as the release before decision 0026 stored it: `amountPence`, no currency.
    const previousData = (amountPence: number, resolvedAt: string | null) => ({
      data: {
        customerId: 'c-before',
        deliveryId: 'd-before',
        sku: 'milk-1pt',
        quantity: 1,
        reason: 'sour',
        refundId: uuidv7(),
        filedAt: '2026-11-20T09:00:00.000Z',
        amountPence,
        refusalReason: null,
        escalatedAt: null,
        resolvedAt,
      },
      bookkeeping: { held: [], sequences: {}, composites: {}, raised: [], timeouts: {} },
    });
    const refundedBefore = uuidv7();
    const openBefore = uuidv7();
    await sql.transaction(async (tx) => {
      for (const [id, state, data] of [
        [refundedBefore, 'Refunded', previousData(95, '2026-11-20T10:00:00.000Z')],
        [openBefore, 'AwaitingRefund', previousData(0, null)],
      ] as const) {
        await store.insert(tx, {
          sagaType: 'milkround.returns.Complaint',
          id,
          state,
          data,
          version: 1,
          keys: {},
        });
      }
    });
    const refunded = await complaint(refundedBefore);
    assert.deepEqual(
      [refunded.status, refunded.amountMinor, refunded.currency],
      ['refunded', 95, null],
      'refunded before currencies were recorded: the amount, and no currency to claim',
    );

    // RefundIssued as that release's billing sent it, still queued when this release started.
    const PreviousRefundIssued = defineMessage(
      'milkround.billing.RefundIssued',
      z.object({
        refundId: z.string(),
        complaintId: z.string(),
        customerId: z.string(),
        amountPence: z.number(),
      }),
    );
    await bus.publish(PreviousRefundIssued, {
      refundId: uuidv7(),
      complaintId: openBefore,
      customerId: 'c-before',
      amountPence: 120,
    });
    const answered = await reaches(openBefore, 'refunded');
    assert.deepEqual([answered.amountMinor, answered.currency], [120, null]);
    const resolved = await eventually(
      async () => watcher.seen(ComplaintResolved, (each) => each.complaintId === openBefore)[0],
    );
    assert.deepEqual(resolved.message, { complaintId: openBefore, outcome: 'refunded', amountMinor: 120 });
    const stored = await sql.transaction((tx) => store.load(tx, 'milkround.returns.Complaint', openBefore));
    assert.ok(stored);
    const storedData = (stored.data as { data: Record<string, unknown> }).data;
    assert.equal(
      Object.hasOwn(storedData, 'amountPence'),
      false,
      'stored under the new names at its next step',
    );
    assert.equal(storedData.amountMinor, 120);
  });
});
