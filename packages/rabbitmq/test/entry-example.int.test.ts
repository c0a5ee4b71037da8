import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rabbitmqForTests, runEntryExample, type TestVhost } from '@switchyard/testing';

const rabbitmq = await rabbitmqForTests();

describe('the example in src/index.ts', { skip: rabbitmq.skip }, () => {
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

  it('runs on the broker and prints what it says', async () => {
    assert.equal(
      await runEntryExample(import.meta.url, { timeoutMs: 60_000 }),
      'shop-billing got o-42 through Shop.Contracts:OrderPlaced',
    );
  });
});
