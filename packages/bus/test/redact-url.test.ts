import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrl } from '@switchyard/bus';

describe('redactUrl', () => {
  it('hides the password of a URL and keeps the user, host, port and path', () => {
    assert.equal(redactUrl('amqp://guest:secret@broker:5672/vh'), 'amqp://guest:***@broker:5672/vh');
    assert.equal(
      redactUrl('postgres://app:s3cret@db.internal:5432/orders'),
      'postgres://app:***@db.internal:5432/orders',
    );
    assert.equal(redactUrl('amqps://u:p@broker/%2F'), 'amqps://u:***@broker/%2F');
  });

  it('leaves a URL with nothing secret as it is', () => {
    assert.equal(redactUrl('postgres://127.0.0.1:5432/test'), 'postgres://127.0.0.1:5432/test');
    assert.equal(
      redactUrl('postgres://db/test?sslmode=require&application_name=yard'),
      'postgres://db/test?sslmode=require&application_name=yard',
    );
  });

  it('hides a user without a password, which may be a token', () => {
    assert.equal(redactUrl('amqps://tok3n-abc@broker/vh'), 'amqps://***@broker/vh');
  });

  it('hides the password, sslpassword and sslkey query parameters that pg honours', () => {
    const redacted = redactUrl(
      'postgres://db/test?password=pw1&sslmode=verify-full&sslpassword=pw2&sslkey=/keys/client.key',
    );
    assert.equal(redacted, 'postgres://db/test?password=***&sslmode=verify-full&sslpassword=***&sslkey=***');
  });

  it('hides secret parameters whatever their case or percent-encoding', () => {
    const redacted = redactUrl('postgres://db/test?PassWord=pw1&pass%77ord=pw2&api_token=pw3&api-key=pw4');
    for (const secret of ['pw1', 'pw2', 'pw3', 'pw4']) assert.ok(!redacted.includes(secret), redacted);
  });

  it('hides a percent-encoded password without decoding it', () => {
    assert.equal(redactUrl('postgres://app:p%40ss%3Aw0rd@db/x'), 'postgres://app:***@db/x');
  });

  it('hides everything from the first colon to the last @ of a URL that does not parse', () => {
    assert.equal(redactUrl('postgres://user:p@ss:word@host/db'), 'postgres://user:***@host/db');
    assert.equal(redactUrl('postgres://user:pass word@host/db'), 'postgres://user:***@host/db');
    assert.equal(redactUrl('postgres://user:pa/ss@host:5432/db'), 'postgres://user:***@host:5432/db');
    assert.equal(redactUrl('amqp://guest:gu est@[::1]:5672/'), 'amqp://guest:***@[::1]:5672/');
  });

  it('hides everything after :// when the last @ may be inside a query value', () => {
    assert.equal(redactUrl('postgres://user:pa?ss@host/db'), 'postgres://***');
    assert.equal(redactUrl('postgres://db/x?password=ab@cd/efgh'), 'postgres://***');
    assert.equal(redactUrl('postgres://db/x?password=ab@  cd'), 'postgres://***');
  });

  it('hides what could be a password typed where the port goes', () => {
    assert.equal(redactUrl('postgres://user:s3cret/db'), 'postgres://***/db');
    assert.equal(redactUrl('postgres://db:5432/x'), 'postgres://db:5432/x');
  });

  it('shows nothing of a string that is not a URL at all', () => {
    assert.equal(redactUrl('not a url'), '<unparseable URL>');
    assert.equal(redactUrl('host=db password=s3cret'), '<unparseable URL>');
  });
});
