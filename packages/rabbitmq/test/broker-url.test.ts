import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigurationError } from '@switchyard/bus';
import { ManagementClient, RabbitMqTransport } from '@switchyard/rabbitmq';

const secret = 'hunter2/not-for-logs';
// The password's own "/" ends the authority early, so "guest:hunter2" reads as a host with a port that is no number.
const broken = `amqp://guest:${secret}@127.0.0.1:5672/`;

it('refuses a RabbitMQ URL that does not parse without quoting its password, and says what to do', () => {
  for (const attempt of [
    () => new RabbitMqTransport({ url: broken }),
    () => ManagementClient.forAmqpUrl(broken),
  ]) {
    assert.throws(attempt, (error: unknown) => {
      assert.ok(error instanceof ConfigurationError, String(error));
      assert.doesNotMatch(error.message, /hunter2/);
      assert.doesNotMatch(JSON.stringify(error), /hunter2/, 'nor in any field of the error');
      assert.match(
        error.message,
        /does not parse: percent-encode @ : \/ \? # % in its user name and password/,
      );
      return true;
    });
  }
});
