import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresForTests, rabbitmqForTests, type TestDatabase, type TestVhost } from '@switchyard/testing';
import { ledgerSummary, runSlotsReference } from './slots-reference.ts';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

describe('milkround with its operations in two slots', { skip: postgres.skip || rabbitmq.skip }, () => {
  let database: TestDatabase;
  let vhost: TestVhost;
  before(async () => {
    database = await postgres.createDatabase();
    vhost = await rabbitmq.createVhost();
  });
  after(async () => {
    await vhost?.delete();
    await database?.drop();
  });

  it('switches deliveries and billing from blue to green under business traffic: every effect once, blue drained', {
    timeout: 600_000,
  }, async () => {
    const result = await runSlotsReference({ databaseUrl: database.url, vhostUrl: vhost.url, customers: 30 });
    assert.match(result.statusBefore, /deliveries: live blue/);
    assert.match(result.statusBefore, /billing: live blue/);
    for (const [service, { code, output }] of Object.entries(result.switchOutput))
      assert.equal(code, 0, `${service}: ${output}`);
    assert.equal(result.ledger.lost, 0, ledgerSummary(result.ledger));
    assert.equal(result.ledger.duplicated, 0, ledgerSummary(result.ledger));
    assert.match(result.statusAfter, /deliveries: live green, previous blue/);
    assert.match(result.statusAfter, /billing: live green, previous blue/);
    // The status table's last column: the old slot of each service has drained.
    const blueRows = result.statusAfter
      .split('\n')
      .filter((line) => /\bblue\b/.test(line) && /\b(yes|no)\b/.test(line));
    assert.ok(blueRows.length >= 2 && blueRows.every((line) => /\byes\b/.test(line)), result.statusAfter);
  });
});
