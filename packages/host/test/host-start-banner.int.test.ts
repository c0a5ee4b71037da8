import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresForTests, rabbitmqForTests } from '@switchyard/testing';
import { createHost, createHostLogger, hostConfigSchema } from '../src/index.ts';
import { notesModule } from './support/notes-module.ts';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

/** A stand-in for a terminal that keeps what is written. */
function terminal(): { isTTY: true; write(text: string): boolean; text(): string } {
  let text = '';
  return {
    isTTY: true,
    write(chunk: string) {
      text += chunk;
      return true;
    },
    text: () => text,
  };
}

describe('the start-up banner on a terminal (PostgreSQL + RabbitMQ)', {
  skip: postgres.skip || rabbitmq.skip,
}, () => {
  it('names the app, the URLs of /docs and /health/ready, and the database and transport, with no password', async () => {
    const database = await postgres.createDatabase();
    const vhost = await rabbitmq.createVhost();
    // The test server trusts every local connection, so a password given here is never checked.
    const databaseUrl = new URL(database.url);
    databaseUrl.password = 's3cret-pg';
    const config = hostConfigSchema.parse({
      http: { port: 0 },
      database: { url: databaseUrl.toString() },
      transport: { url: vhost.url },
      log: { format: 'auto' },
    });
    const out = terminal();
    const host = createHost({
      config,
      modules: [notesModule()],
      logger: createHostLogger(config.log, out, { NO_COLOR: '1' }),
      title: 'Notes',
      version: '2.3.4',
    });
    try {
      const url = await host.start();
      const text = out.text();
      const amqpPassword = new URL(vhost.url).password;
      assert.ok(!text.includes('s3cret-pg'), text);
      assert.ok(amqpPassword === '' || !text.includes(`:${amqpPassword}@`), text);
      assert.match(text, new RegExp(`INFO  Notes 2\\.3\\.4 is running at ${url}\\n`));
      assert.ok(text.includes(`    docs       ${url}/docs\n`), text);
      assert.ok(text.includes(`    ready      ${url}/health/ready\n`), text);
      assert.match(text, /^ {4}database +PostgreSQL postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\//m);
      assert.match(text, /^ {4}transport +RabbitMQ amqp:\/\/guest:\*\*\*@/m);
      assert.ok(!text.split('\n').some((line) => line.startsWith('{')), `no JSON line:\n${text}`);
    } finally {
      await host.stop();
      await vhost.delete();
      await database.drop();
    }
  });
});
