import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorQueueTools, PublishRejectedError, RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import fc from 'fast-check';

// Against the real broker (skipped without RABBITMQ_URL): every run takes a few round trips.
const rabbitmq = await rabbitmqForTests();

/** Message ids drawn from a small pool, the empty one included, so that runs repeat ids often. */
const messageId = fc.constantFrom('', 'a', 'b', 'same');

describe('moving messages on RabbitMQ, for any mix of ids and targets', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  before(async () => {
    vhost = await rabbitmq.createVhost();
  });
  after(async () => {
    await vhost?.delete();
  });

  it('fails exactly the sends no queue took, whatever their message ids', { timeout: 120_000 }, async () => {
    const transport = new RabbitMqTransport({ url: vhost.url });
    await transport.start();
    const connection = await amqp.connect(vhost.url);
    const admin = await connection.createChannel();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ id: messageId, routable: fc.boolean() }), { minLength: 1, maxLength: 12 }),
          async (sends) => {
            const warmUp = { messageId: 'warm-up', contentType: 'x', body: Buffer.from(''), headers: {} };
            await transport.send('kept', warmUp);
            // A run with no unroutable send leaves "gone" deleted but still thought declared: the first
            // send then fails, and makes the transport declare it again on the next, as any caller retries.
            await transport.send('gone', warmUp).catch(() => transport.send('gone', warmUp));
            await admin.deleteQueue('gone');
            await admin.purgeQueue('kept');
            const results = await Promise.allSettled(
              sends.map(({ id, routable }, index) =>
                transport.send(routable ? 'kept' : 'gone', {
                  messageId: id,
                  contentType: 'x',
                  body: Buffer.from(String(index)),
                  headers: {},
                }),
              ),
            );
            results.forEach((result, index) => {
              const routable = sends[index]?.routable;
              if (routable) assert.equal(result.status, 'fulfilled', `send ${index} to "kept" succeeds`);
              else {
                assert.equal(result.status, 'rejected', `send ${index} to "gone" fails`);
                assert.ok(result.status === 'rejected' && result.reason instanceof PublishRejectedError);
              }
            });
            assert.equal(
              (await admin.checkQueue('kept')).messageCount,
              sends.filter((each) => each.routable).length,
              'every routable send is in "kept"',
            );
          },
        ),
        { numRuns: 25 },
      );
    } finally {
      await connection.close();
      await transport.close();
    }
  });

  it('retry moves exactly the messages whose source queue exists, and keeps the others', {
    timeout: 120_000,
  }, async () => {
    const connection = await amqp.connect(vhost.url);
    const channel = await connection.createConfirmChannel();
    const tools = new ErrorQueueTools({ url: vhost.url });
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ id: messageId, source: fc.constantFrom('alive', 'renamed') }), {
            maxLength: 10,
          }),
          fc.boolean(),
          async (messages, pickIds) => {
            run += 1;
            const errorQueue = `faults-${run}_error`;
            const alive = `alive-${run}`;
            await channel.assertQueue(errorQueue, { durable: true });
            await channel.assertQueue(alive, { durable: true });
            for (const [index, each] of messages.entries()) {
              channel.sendToQueue(errorQueue, Buffer.from(String(index)), {
                persistent: true,
                messageId: each.id,
                headers: { 'Switchyard-Source-Queue': each.source === 'alive' ? alive : `renamed-${run}` },
              });
            }
            await channel.waitForConfirms();
            const ids = pickIds ? [...new Set(messages.map((each) => each.id))].slice(0, 2) : undefined;
            const chosen = messages.filter((each) => !ids || ids.includes(each.id));

            const result = await tools.retry(errorQueue, ids);

            const movable = chosen.filter((each) => each.source === 'alive').length;
            assert.equal(result.moved, movable);
            assert.deepEqual(
              result.notMoved.map((each) => each.reason),
              chosen
                .filter((each) => each.source === 'renamed')
                .map(() => `source queue "renamed-${run}" does not exist`),
            );
            assert.equal((await channel.checkQueue(alive)).messageCount, movable, 'each moved once');
            assert.equal(
              (await channel.checkQueue(errorQueue)).messageCount,
              messages.length - movable,
              'nothing lost: the rest stay in the error queue',
            );
            await channel.deleteQueue(errorQueue);
            await channel.deleteQueue(alive);
          },
        ),
        { numRuns: 25 },
      );
    } finally {
      await tools.close();
      await connection.close();
    }
  });
});
