import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { uuidv7 } from '@switchyard/bus';
import { PostgresErrorQueues, type SqlClient } from '@switchyard/postgres';
import { postgresForTests, rabbitmqForTests } from '@switchyard/testing';
import amqp from 'amqplib';
import { milkroundModules } from '../src/app.ts';
import { eventually, type RunningMilkround, startMilkround } from './support/milkround-host.ts';
import { refuseWrites } from './support/store-refusal.ts';

// Issue 30, item 3: a command the edge accepted (202, or 201 with work that follows in a consumer or a
// saga) whose consumer then fails for good must show as failed on its status resource, with the reason
// and the error queue entry, instead of 404 forever. The store refuses the rows of chosen commands (a
// trigger raises, as a full disk or a broken constraint would); redelivery is off, so the message reaches
// its error queue at once instead of after two minutes. Embedded, and on PostgreSQL with RabbitMQ.

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

/** The ids of the messages waiting in an error queue, read and left in place. */
type ErrorQueueIds = (queue: string) => Promise<string[]>;

/** Reads a RabbitMQ queue without taking from it: every message got is returned when the channel closes. */
function rabbitErrorQueueIds(url: string): ErrorQueueIds {
  return async (queue) => {
    const connection = await amqp.connect(url);
    try {
      const channel = await connection.createChannel();
      const ids: string[] = [];
      for (let message = await channel.get(queue); message; message = await channel.get(queue))
        ids.push(String(message.properties.messageId));
      await channel.close();
      return ids;
    } finally {
      await connection.close();
    }
  };
}

interface Failed {
  readonly status: 'failed';
  readonly reason: string;
  readonly errorQueue: { readonly name: string; readonly messageId: string };
  readonly failedAt: string;
}

for (const servers of [false, true]) {
  describe(`accepted commands whose consumer fails for good (${servers ? 'PostgreSQL + RabbitMQ' : 'embedded'})`, {
    skip: servers && (postgres.skip || rabbitmq.skip),
  }, () => {
    let milkround: RunningMilkround;
    let sql: SqlClient;
    let errorQueueIds: ErrorQueueIds;
    let cleanup = async () => {};
    const removals: (() => Promise<void>)[] = [];
    let hostConfig: Record<string, unknown> = {};
    /** A complaint shown as failed, to ask for again after a restart. */
    let failedComplaint: string | undefined;

    before(async () => {
      let config: Record<string, unknown> = {};
      let vhostUrl: string | undefined;
      if (servers) {
        const database = await postgres.createDatabase();
        const vhost = await rabbitmq.createVhost();
        cleanup = async () => {
          await vhost.delete();
          await database.drop();
        };
        vhostUrl = vhost.url;
        config = { database: { url: database.url }, transport: { url: vhost.url } };
      }
      hostConfig = { ...config, bus: { retry: { immediateIntervalsMs: [], redeliveryIntervalsMs: [] } } };
      milkround = await startMilkround({ modules: milkroundModules(), config: hostConfig });
      sql = milkround.host.sql as SqlClient;
      if (vhostUrl) errorQueueIds = rabbitErrorQueueIds(vhostUrl);
      else {
        const errors = new PostgresErrorQueues(sql);
        errorQueueIds = async (queue) => (await errors.list(queue)).map((each) => each.messageId);
      }
    });
    after(async () => {
      for (const remove of removals.splice(0)) await remove();
      await milkround?.stop();
      await cleanup();
    });

    /** Polls `path` until its answer is a 200 that `settled` accepts; returns that body. */
    const settledAt = <T>(path: string, settled: (body: T) => boolean) =>
      eventually(async () => {
        const answer = await milkround.request('GET', path);
        return answer.status === 200 && settled(answer.body as T) ? (answer.body as T) : undefined;
      });

    /** The failure names an error queue entry that is there, and the reason the store gave. */
    const assertReported = async (failure: Failed, queue: string, fault: string) => {
      assert.equal(failure.status, 'failed');
      assert.match(failure.reason, new RegExp(`test fault ${fault}`));
      assert.equal(failure.errorQueue.name, queue);
      const waiting = await errorQueueIds(queue);
      assert.ok(
        waiting.includes(failure.errorQueue.messageId),
        `${failure.errorQueue.messageId} is in ${queue} (there: ${waiting.join(', ')})`,
      );
      assert.ok(!Number.isNaN(Date.parse(failure.failedAt)));
    };

    it('POST /returns/complaints: the complaint shows failed, with the reason and its error queue entry', async () => {
      const failing = uuidv7();
      removals.push(
        await refuseWrites(
          sql,
          'complaint',
          'switchyard.yard_saga_instances',
          `new.saga_type = 'milkround.returns.Complaint' and new.id = '${failing}'`,
        ),
      );
      const complaint = { customerId: 'c-1', deliveryId: 'd-1', sku: 'milk-1l', quantity: 1, reason: 'sour' };
      const accepted = await milkround.request('POST', '/returns/complaints', {
        ...complaint,
        complaintId: failing,
      });
      assert.equal(accepted.status, 202);
      const location = accepted.headers.get('location') as string;
      const failed = await settledAt<Failed & { complaintId: string }>(location, () => true);
      assert.equal(failed.complaintId, failing);
      failedComplaint = failing;
      await assertReported(failed, 'returns-complaints_error', 'complaint');

      const filed = await milkround.request('POST', '/returns/complaints', complaint);
      assert.equal(filed.status, 202);
      const shown = await settledAt<{ status: string }>(filed.headers.get('location') as string, () => true);
      assert.notEqual(shown.status, 'failed', 'a complaint that was filed shows its state');
    });

    it('POST /returns/bottles: the credit shows failed, with the reason and its error queue entry', async () => {
      removals.push(await refuseWrites(sql, 'credit', 'billing.credits', `new.customer_id = 'c-no-credit'`));
      const accepted = await milkround.request('POST', '/returns/bottles', {
        customerId: 'c-no-credit',
        bottles: 3,
      });
      assert.equal(accepted.status, 202);
      const { returnId } = accepted.body as { returnId: string };
      const location = accepted.headers.get('location');
      assert.equal(location, `/billing/credits/${returnId}`);
      const failed = await settledAt<Failed & { creditId: string }>(location, () => true);
      assert.equal(failed.creditId, returnId);
      await assertReported(failed, 'billing_error', 'credit');

      const credited = await milkround.request('POST', '/returns/bottles', {
        customerId: 'c-credit',
        bottles: 3,
      });
      const shown = await settledAt<{ status: string; amountMinor: number }>(
        credited.headers.get('location') as string,
        () => true,
      );
      assert.deepEqual(
        { status: shown.status, amountMinor: shown.amountMinor },
        { status: 'credited', amountMinor: 60 },
      );
    });

    it('POST /deliveries/runs: the date shows the run failed, with the reason and its error queue entry', async () => {
      removals.push(await refuseWrites(sql, 'run', 'deliveries.runs', `new.delivery_date = '2027-03-03'`));
      const accepted = await milkround.request('POST', '/deliveries/runs', { deliveryDate: '2027-03-03' });
      assert.equal(accepted.status, 202);
      const { runId } = accepted.body as { runId: string };
      const plan = await settledAt<{ runs: (Failed & { runId: string })[] }>(
        accepted.headers.get('location') as string,
        () => true,
      );
      assert.equal(plan.runs.length, 1);
      assert.equal(plan.runs[0]?.runId, runId);
      await assertReported(plan.runs[0] as Failed, 'deliveries_error', 'run');

      const started = await milkround.request('POST', '/deliveries/runs', { deliveryDate: '2027-03-04' });
      const shown = await settledAt<{ runs: { runId: string; status: string }[] }>(
        started.headers.get('location') as string,
        () => true,
      );
      assert.equal(shown.runs[0]?.runId, (started.body as { runId: string }).runId);
      assert.notEqual(shown.runs[0]?.status, 'failed');
    });

    it('POST /memberships: the membership shows its renewals failed, with the reason and its error queue entry', async () => {
      removals.push(
        await refuseWrites(
          sql,
          'renewal',
          'switchyard.yard_saga_instances',
          `new.saga_type = 'milkround.memberships.Renewal' and new.data->'data'->>'customerId' = 'c-unrenewable'`,
        ),
      );
      const join = { name: 'Ada', region: 'UK', postcode: 'SW1A 1AA', plan: 'basic' };
      const accepted = await milkround.request('POST', '/memberships', {
        ...join,
        customerId: 'c-unrenewable',
      });
      assert.equal(accepted.status, 201);
      const location = accepted.headers.get('location') as string;
      const shown = await settledAt<{ status: string; failure: (Failed & { step: string }) | null }>(
        location,
        (body) => body.failure !== null,
      );
      assert.equal(shown.status, 'active', 'the membership itself was made');
      assert.equal(shown.failure?.step, 'renewals');
      await assertReported(shown.failure as Failed, 'memberships-renewal_error', 'renewal');

      const joined = await milkround.request('POST', '/memberships', { ...join, customerId: 'c-renewable' });
      assert.equal(joined.status, 201);
      await eventually(async () => {
        const { rows } = await sql.query(
          `select 1 from switchyard.yard_saga_instances
         where saga_type = 'milkround.memberships.Renewal' and data->'data'->>'customerId' = 'c-renewable'`,
        );
        return rows.length > 0 ? true : undefined;
      });
      const fine = await milkround.request('GET', joined.headers.get('location') as string);
      assert.equal((fine.body as { failure: unknown }).failure, null);
    });
    it('POST /deliveries/{deliveryId}/events: the delivery shows the event failed, with the reason and its error queue entry', async () => {
      const deliveryDate = '2026-11-25';
      for (const customerId of ['c-van-fails', 'c-van-fine']) {
        const joined = await milkround.request('POST', '/memberships', {
          customerId,
          name: 'Ada',
          region: 'UK',
          postcode: 'M1 1AE',
          plan: 'basic',
        });
        assert.equal(joined.status, 201);
        await eventually(async () =>
          (await milkround.request('GET', `/customers/${customerId}/orders`)).status === 200
            ? true
            : undefined,
        );
        const ordered = await milkround.request('POST', '/orders/one-off', {
          customerId,
          deliveryDate,
          lines: [{ sku: 'milk-1pt', quantity: 1 }],
        });
        assert.equal(ordered.status, 201, JSON.stringify(ordered.body));
      }
      assert.equal((await milkround.request('POST', '/deliveries/runs', { deliveryDate })).status, 202);
      const deliveryOf = await eventually(async () => {
        const plan = await milkround.request('GET', `/deliveries/runs/${deliveryDate}`);
        if (plan.status !== 200) return undefined;
        const deliveries = (
          plan.body as {
            rounds: { deliveries: { deliveryId: string; customerId: string; status: string }[] }[];
          }
        ).rounds.flatMap((round) => round.deliveries);
        const planned = new Map(
          deliveries
            .filter((each) => each.status === 'Planned')
            .map((each) => [each.customerId, each.deliveryId]),
        );
        return planned.size === 2 ? planned : undefined;
      });
      const failing = deliveryOf.get('c-van-fails') as string;
      removals.push(
        await refuseWrites(
          sql,
          'van',
          'switchyard.yard_saga_instances',
          `new.saga_type = 'milkround.deliveries.Delivery' and new.id = '${failing}'`,
          'update',
        ),
      );
      const event = { type: 'loaded', sequence: 1, at: `${deliveryDate}T06:30:00Z` };
      const accepted = await milkround.request('POST', `/deliveries/${failing}/events`, event);
      assert.equal(accepted.status, 202);
      const shown = await settledAt<{
        status: string;
        failedEvents: (Failed & { event: string; sequence: number })[];
      }>(accepted.headers.get('location') as string, (body) => body.failedEvents.length > 0);
      assert.equal(shown.status, 'Planned', 'the delivery did not take the event');
      assert.deepEqual(
        { event: shown.failedEvents[0]?.event, sequence: shown.failedEvents[0]?.sequence },
        { event: 'loaded', sequence: 1 },
      );
      await assertReported(shown.failedEvents[0] as Failed, 'deliveries-saga_error', 'van');

      const fine = deliveryOf.get('c-van-fine') as string;
      const loaded = await milkround.request('POST', `/deliveries/${fine}/events`, event);
      const taken = await settledAt<{ status: string; failedEvents: unknown[] }>(
        loaded.headers.get('location') as string,
        (body) => body.status === 'Loaded',
      );
      assert.deepEqual(taken.failedEvents, []);
    });
    it('still shows the failure after a restart', {
      skip: !servers && 'the embedded database lives in memory',
    }, async () => {
      assert.ok(failedComplaint, 'the complaint test ran first');
      for (const remove of removals.splice(0)) await remove();
      await milkround.stop();
      milkround = await startMilkround({ modules: milkroundModules(), config: hostConfig });
      const shown = await milkround.request('GET', `/returns/complaints/${failedComplaint}`);
      assert.equal(shown.status, 200);
      assert.equal((shown.body as Failed).status, 'failed');
    });
  });
}
