import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rabbitmqForTests, runEntryExample, runReadmeExample } from '@switchyard/testing';

const rabbitmq = await rabbitmqForTests();

describe('the examples in src/index.ts and the README', { skip: rabbitmq.skip }, () => {
  const brokerUrl = process.env.RABBITMQ_URL;

  /** Runs an example on a vhost of its own: it reads RABBITMQ_URL, as an application would, as a child of this process. */
  async function onItsOwnVhost(example: () => Promise<string>): Promise<string> {
    const vhost = await rabbitmq.createVhost();
    process.env.RABBITMQ_URL = vhost.url;
    try {
      return await example();
    } finally {
      process.env.RABBITMQ_URL = brokerUrl;
      await vhost.delete();
    }
  }

  it('runs the entry example on the broker and prints what it says', async () => {
    assert.equal(
      await onItsOwnVhost(() => runEntryExample(import.meta.url, { timeoutMs: 60_000 })),
      'shop-billing got o-42 through Shop.Contracts:OrderPlaced',
    );
  });

  it('sends through the broker and prints what the README says', async () => {
    assert.equal(
      await onItsOwnVhost(() => runReadmeExample(import.meta.url, { timeoutMs: 60_000 })),
      'billing got inv-7',
    );
  });
});
