import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  chooseLogFormat,
  createHostLogger,
  createHttpServer,
  hostConfigSchema,
  loadHostConfig,
  route,
} from '../src/index.ts';
import { describeDatabase, describeTransport } from '../src/logging/start-banner.ts';

/** A stand-in for stdout that keeps what is written, a terminal or not. */
function terminal(isTTY: boolean): { isTTY: boolean; write(text: string): boolean; text(): string } {
  let text = '';
  return {
    isTTY,
    write(chunk: string) {
      text += chunk;
      return true;
    },
    text: () => text,
  };
}

/** Writes, through `logger`, every kind of line that can carry a secret. */
function logSecrets(logger: ReturnType<typeof createHostLogger>): void {
  logger.error({ err: new Error('could not connect to postgres://app:s3cret-a@db:5432/x') }, 'Start failed');
  logger.info({ http: { operationsToken: 's3cret-b' }, password: 's3cret-c' }, 'settings');
  logger.info(
    { req: { method: 'GET', url: '/orders?token=s3cret-d&page=2', headers: {} }, reqId: 'r1' },
    'incoming request',
  );
  logger.info({ res: { statusCode: 200 }, responseTime: 3.2, reqId: 'r1' }, 'request completed');
  logger.warn(
    { note: 'retrying amqp://guest:s3cret-e@broker:5672' },
    'broker said: password=s3cret-f, Bearer s3cret-g',
  );
  logger.info(
    {
      banner: true,
      url: 'http://127.0.0.1:3000',
      database: describeDatabase(
        hostConfigSchema.parse({ database: { url: 'postgres://app:s3cret-h@db/x' } }).database,
      ),
      transport: describeTransport(
        hostConfigSchema.parse({ transport: { url: 'amqps://app:s3cret-i@mq/v' } }).transport,
      ),
    },
    'Dairy 1.0.0 is running at http://127.0.0.1:3000',
  );
}

describe('the host log format', () => {
  it('is readable on a terminal and JSON elsewhere, unless log.format says which', () => {
    assert.equal(chooseLogFormat('auto', { isTTY: true }), 'pretty');
    assert.equal(chooseLogFormat('auto', { isTTY: false }), 'json');
    assert.equal(chooseLogFormat('auto', {}), 'json');
    assert.equal(chooseLogFormat('json', { isTTY: true }), 'json');
    assert.equal(chooseLogFormat('pretty', { isTTY: false }), 'pretty');
  });

  it('is set by log.format (auto by default), also from the environment, and refuses another value', () => {
    assert.equal(hostConfigSchema.parse({}).log.format, 'auto');
    assert.equal(loadHostConfig({ env: { SWITCHYARD_LOG__FORMAT: 'json' } }).config.log.format, 'json');
    assert.throws(
      () => loadHostConfig({ env: { SWITCHYARD_LOG__FORMAT: 'colour' } }),
      /log\.format \(from env SWITCHYARD_LOG__FORMAT\): expected one of "auto", "json", "pretty"/,
    );
  });

  it('on a terminal, writes short readable lines, one a request, without a secret', () => {
    const out = terminal(true);
    logSecrets(createHostLogger({ level: 'info', format: 'auto' }, out, {}));
    const text = out.text();
    assert.ok(!/s3cret/.test(text), text);
    assert.ok(!text.split('\n').some((line) => line.startsWith('{')), `no JSON line:\n${text}`);
    assert.match(text, /^\d\d:\d\d:\d\d .*INFO.* GET \/orders .*200.* 3ms$/m, 'the request on one line');
    assert.ok(
      !/incoming request|page=2/.test(text),
      'no line for the arrival, and the path without its query',
    );
    assert.match(
      text,
      /Start failed\n {4}Error: could not connect to postgres:\/\/app:\*\*\*@db:5432\/x\n {4}at /,
    );
    assert.match(text, /Dairy 1\.0\.0 is running at http:\/\/127\.0\.0\.1:3000/);
    assert.match(text, /^ {4}database +PostgreSQL postgres:\/\/app:\*\*\*@db\/x$/m);
    assert.match(text, /^ {4}transport +RabbitMQ amqps:\/\/app:\*\*\*@mq\/v$/m);
    assert.ok(text.includes('\u001b['), 'coloured on a terminal');
  });

  it('without colour when NO_COLOR is set, or when pretty is asked for off a terminal', () => {
    for (const [out, env] of [
      [terminal(true), { NO_COLOR: '1' }],
      [terminal(false), {}],
    ] as const) {
      createHostLogger({ level: 'info', format: 'pretty' }, out, env).info('plain');
      assert.match(out.text(), /^\d\d:\d\d:\d\d INFO {2}plain\n$/);
    }
  });

  it('off a terminal, writes one parseable JSON object a line, without a secret', () => {
    const out = terminal(false);
    logSecrets(createHostLogger({ level: 'info', format: 'auto' }, out, {}));
    const lines = out.text().trimEnd().split('\n');
    assert.equal(lines.length, 6);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    // Free text too (a message, a note): the logger searches every string it writes.
    assert.ok(!/s3cret/.test(out.text()), out.text());
    assert.equal(records[4]?.note, 'retrying amqp://guest:***@broker:5672');
    assert.equal(records[4]?.msg, 'broker said: password=***, Bearer ***');
    assert.equal(records.at(-1)?.url, 'http://127.0.0.1:3000', 'the URL stays a field for scripts');
  });

  it('writes one line for each request the HTTP server answers', async () => {
    const out = terminal(true);
    const app = await createHttpServer({
      logger: createHostLogger({ level: 'info', format: 'pretty' }, out, { NO_COLOR: '1' }),
      title: 'Test',
      version: '1.0.0',
      readiness: [],
      routes: [
        route({
          method: 'GET',
          url: '/orders/:id',
          summary: 'Read an order',
          params: z.object({ id: z.string() }),
          responses: { 200: { description: 'The order', schema: z.object({ id: z.string() }) } },
          handler: ({ params }) => ({ status: 200, body: { id: params.id } }),
        }),
      ],
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      assert.equal((await fetch(`${base}/orders/o-1?access_token=s3cret-q`)).status, 200);
      assert.equal((await fetch(`${base}/nowhere`)).status, 404);
    } finally {
      await app.close();
    }
    const requests = out
      .text()
      .split('\n')
      .filter((line) => / (GET|POST) /.test(line));
    assert.equal(requests.length, 2, out.text());
    assert.match(requests[0] ?? '', /^\d\d:\d\d:\d\d INFO {2}GET \/orders\/o-1 200 \d+ms$/);
    assert.match(requests[1] ?? '', /^\d\d:\d\d:\d\d INFO {2}GET \/nowhere 404 \d+ms$/);
    assert.ok(!out.text().includes('s3cret'), out.text());
  });
});
