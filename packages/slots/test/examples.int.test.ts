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

  it('switches a service from blue to green between two sends, and prints which slot handled each', async () => {
    assert.equal(
      await onItsOwnVhost(() => runEntryExample(import.meta.url, { timeoutMs: 60_000 })),
      'o-1 in blue, o-2 in green',
    );
  });

  it('reconciles the routing from a file once, then finds nothing to change', async () => {
    assert.equal(
      await onItsOwnVhost(() => runReadmeExample(import.meta.url, { timeoutMs: 60_000 })),
      'first pass: built the routing; second: 0 changes',
    );
  });
});
