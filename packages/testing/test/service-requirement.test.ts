import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrl } from '@switchyard/bus';
import { isCi, postgresForTests, rabbitmqForTests, requirementFor } from '@switchyard/testing';

describe('requirementFor', () => {
  it('runs when the variable is set, in CI or not', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    assert.deepEqual(requirementFor('PostgreSQL', 'DATABASE_URL', { DATABASE_URL: url }), {
      kind: 'run',
      url,
    });
    assert.deepEqual(requirementFor('PostgreSQL', 'DATABASE_URL', { DATABASE_URL: url, CI: 'true' }), {
      kind: 'run',
      url,
    });
  });

  it('skips with a one-line reason naming the variable when unset outside CI', () => {
    const requirement = requirementFor('RabbitMQ', 'RABBITMQ_URL', { DATABASE_URL: 'x' });
    assert.equal(requirement.kind, 'skip');
    assert.ok(requirement.kind === 'skip' && requirement.reason.includes('RABBITMQ_URL'));
    assert.ok(requirement.kind === 'skip' && !requirement.reason.includes('\n'));
  });

  it('fails when unset in CI, and treats an empty value as unset', () => {
    const requirement = requirementFor('PostgreSQL', 'DATABASE_URL', { CI: 'true', DATABASE_URL: '  ' });
    assert.equal(requirement.kind, 'fail');
    assert.match(
      requirement.kind === 'fail' ? requirement.reason : '',
      /DATABASE_URL is not set but CI=true/,
    );
  });
});

describe('isCi', () => {
  it('reads CI the way CI providers set it', () => {
    assert.equal(isCi({ CI: 'true' }), true);
    assert.equal(isCi({ CI: '1' }), true);
    assert.equal(isCi({ CI: 'false' }), false);
    assert.equal(isCi({ CI: '0' }), false);
    assert.equal(isCi({ CI: '' }), false);
    assert.equal(isCi({}), false);
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    assert.equal(redactUrl('amqp://guest:secret@broker:5672/vh'), 'amqp://guest:***@broker:5672/vh');
    assert.equal(redactUrl('not a url'), '<unparseable URL>');
  });
});

describe('service helpers without a service', () => {
  it('skip outside CI and say why', async () => {
    const postgres = await postgresForTests({});
    const rabbitmq = await rabbitmqForTests({});
    assert.match(String(postgres.skip), /DATABASE_URL is not set/);
    assert.match(String(rabbitmq.skip), /RABBITMQ_URL is not set/);
    await assert.rejects(postgres.createSchema(), /DATABASE_URL is not set/);
  });

  it('fail in CI when the variable is unset', async () => {
    await assert.rejects(postgresForTests({ CI: 'true' }), /DATABASE_URL is not set but CI=true/);
    await assert.rejects(rabbitmqForTests({ CI: 'true' }), /RABBITMQ_URL is not set but CI=true/);
  });

  it('fail, naming the server, when it is configured but does not answer', async () => {
    // Port 9 (discard) is closed on every machine we run on, so the connection is refused at once.
    await assert.rejects(
      postgresForTests({ DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:9/test' }),
      /PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:9\/test did not answer/,
    );
    await assert.rejects(
      rabbitmqForTests({ RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:9' }),
      /RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:9 did not answer/,
    );
  });
});
