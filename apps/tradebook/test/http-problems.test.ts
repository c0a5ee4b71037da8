import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHost, type Host, hostConfigSchema } from '@switchyard/host';
import pino from 'pino';
import {
  documentedRoutes,
  undeclaredAnswers,
} from '../../../packages/host/test/contract/http-problems-contract.ts';
import { coreFor, tradebookModules } from '../src/app.ts';

describe("tradebook's answers to bad requests", () => {
  let host: Host;
  let url: string;
  // A core nobody listens on: no route below books, so none reaches it.
  const connection = {
    host: '127.0.0.1',
    port: 1,
    sessions: 1,
    timeoutMs: 100,
    inDoubtMs: 200,
  };
  const { core, client } = coreFor(connection);

  before(async () => {
    host = createHost({
      config: hostConfigSchema.parse({ http: { port: 0 }, database: { dataDir: 'memory' } }),
      modules: tradebookModules({ core, connection }),
      logger: pino({ level: process.env.TRADEBOOK_TEST_LOG ?? 'silent' }),
    });
    url = await host.start();
  });
  after(async () => {
    await host?.stop();
    await client.close();
  });

  it('are, on every route, a status and a problem code its OpenAPI document declares', async () => {
    assert.ok((await documentedRoutes(url)) >= 4, 'the document lists the routes');
    assert.deepEqual(await undeclaredAnswers(url), []);
  });
});
