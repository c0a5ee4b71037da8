import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rabbitmqForTests, runReadmeExample, type TestVhost } from '@switchyard/testing';

const rabbitmq = await rabbitmqForTests();

describe('the README example', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  const brokerUrl = process.env.RABBITMQ_URL;

  before(async () => {
    vhost = await rabbitmq.createVhost();
    // The example reads RABBITMQ_URL, as an application would; it runs as a child of this process.
    process.env.RABBITMQ_URL = vhost.url;
  });

  after(async () => {
    process.env.RABBITMQ_URL = brokerUrl;
    await vhost?.delete();
  });

  it('reconciles the routing from a file once, then finds nothing to change', async () => {
    assert.equal(
      await runReadmeExample(import.meta.url, { timeoutMs: 60_000 }),
      'first pass: built the routing; second: 0 changes',
    );
  });
});
