import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createHost, type Host, hostConfigSchema } from '../src/index.ts';
import { notesModule } from './support/notes-module.ts';

/** One sample of a Prometheus text exposition: its name, labels and value. */
interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

function samplesOf(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[label[1] as string] = label[2] as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

describe('/metrics of a running host (embedded PGlite)', () => {
  let host: Host;
  let url: string;

  before(async () => {
    const config = hostConfigSchema.parse({ http: { port: 0 }, database: { dataDir: 'memory' } });
    host = createHost({
      config,
      modules: [notesModule()],
      logger: pino({ enabled: false }),
      title: 'Notes',
      version: '2.3.4',
    });
    url = await host.start();
  });

  after(async () => {
    await host.stop();
  });

  it('names the service, measures HTTP requests and messages in seconds and memory in bytes, and carries no host or pid in a label', async () => {
    assert.equal((await fetch(`${url}/notes/welcome?secret=x`)).status, 200);
    assert.equal((await fetch(`${url}/notes/nope`)).status, 404);
    const accepted = await fetch(`${url}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'n-metrics', text: 'one pint' }),
    });
    assert.equal(accepted.status, 202);
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if ((await fetch(`${url}/notes/n-metrics`)).status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const text = await (await fetch(`${url}/metrics`)).text();
    const samples = samplesOf(text);
    const find = (name: string, labels: Record<string, string> = {}) =>
      samples.find(
        (sample) =>
          sample.name === name &&
          Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
      );

    const target = find('target_info');
    assert.equal(target?.labels.service_name, 'notes', text.slice(0, 400));
    assert.equal(target?.labels.service_version, '2.3.4');

    const byRoute = { http_route: '/notes/:id', http_request_method: 'GET', url_scheme: 'http' };
    assert.equal(
      find('http_server_request_duration_seconds_count', { ...byRoute, http_response_status_code: '200' })
        ?.value !== undefined,
      true,
      text,
    );
    assert.ok(
      find('http_server_request_duration_seconds_count', { ...byRoute, http_response_status_code: '404' }),
    );
    assert.ok(
      find('http_server_request_duration_seconds_bucket', {
        ...byRoute,
        http_response_status_code: '200',
        le: '+Inf',
      }),
    );
    assert.ok(
      find('http_server_request_duration_seconds_count', {
        http_route: '/notes',
        http_request_method: 'POST',
        http_response_status_code: '202',
      }),
    );
    assert.match(text, /# UNIT http_server_request_duration_seconds seconds/);
    assert.ok(
      samples.every((sample) => !sample.labels.http_route?.includes('?')),
      'routes are templates, never with a query',
    );

    const memory = find('process_memory_usage_bytes');
    assert.ok(memory && memory.value > 1_000_000, 'resident memory, in bytes');
    assert.ok(!samples.some((sample) => sample.name === 'process_memory_rss'), 'no unitless memory gauge');
    const consumeSeconds = find('switchyard_message_consume_duration_seconds_sum', {
      messaging_destination_name: 'notes',
    });
    assert.ok(consumeSeconds, 'the consume duration carries its unit');
    assert.ok(consumeSeconds.value < 30, `${consumeSeconds.value} is seconds, not milliseconds`);
    assert.ok(!samples.some((sample) => /_milliseconds|_ms(_|$)/.test(sample.name)));

    for (const sample of samples) {
      for (const value of Object.values(sample.labels)) {
        assert.ok(
          value !== hostname() && !value.includes(`_${process.pid}_`) && !/_bus_[0-9a-z]{8,}/i.test(value),
          `${sample.name} has a label value naming this host or process: ${value}`,
        );
      }
    }
  });
});
