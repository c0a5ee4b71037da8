import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Topology } from '@switchyard/bus';
import { declareTopology, ManagementClient } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';

const rabbitmq = await rabbitmqForTests();

/** One queue, of the type asked for. */
const queueOf = (queueType: 'classic' | 'quorum'): Topology => ({
  exchanges: [],
  queues: [{ name: 'ledger', role: 'endpoint', durable: true, autoDelete: false, queueType }],
  bindings: [],
});

describe("the broker's refusals carry codes from the catalogue", () => {
  it('a management API that does not answer is MANAGEMENT_API_UNREACHABLE', async () => {
    // Port 9 (discard) is closed on a test machine: the call fails before any HTTP answer.
    const client = new ManagementClient('http://guest:guest@127.0.0.1:9', '/');
    await assert.rejects(client.queues(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'MANAGEMENT_API_UNREACHABLE');
      assert.match(error.message, /did not answer.*rabbitmq_management plugin/);
      assert.doesNotMatch(error.message, /guest:guest/, 'the credentials are not in the message');
      return true;
    });
  });

  describe('on a live broker', { skip: rabbitmq.skip }, () => {
    let vhost: TestVhost;
    before(async () => {
      vhost = await rabbitmq.createVhost();
    });
    after(async () => {
      await vhost?.delete();
    });

    it('a queue declared again with other arguments is TOPOLOGY_DECLARATION_REFUSED', async () => {
      const connection = await amqp.connect(vhost.url);
      try {
        await declareTopology(connection, queueOf('classic'));
        await assert.rejects(
          declareTopology(connection, queueOf('quorum')),
          (error: Error & { code?: string }) => {
            assert.equal(error.code, 'TOPOLOGY_DECLARATION_REFUSED');
            assert.match(error.message, /RabbitMQ refused to declare queue "ledger"/);
            return true;
          },
        );
      } finally {
        await connection.close();
      }
    });
  });
});
