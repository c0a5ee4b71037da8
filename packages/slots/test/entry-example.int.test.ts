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

  it('switches a service from blue to green between two sends, and prints which slot handled each', async () => {
    assert.equal(await runEntryExample(import.meta.url, { timeoutMs: 60_000 }), 'o-1 in blue, o-2 in green');
  });
});
