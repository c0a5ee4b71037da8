import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreUnavailableError, LegacyCoreClient, readLedger } from '../src/index.ts';
import { aPosting, rawTerminal, startTestCore } from './support/core-fixture.ts';

describe('legacy core postings over TCP', () => {
  it('is not idempotent: the same posting sent twice books twice, and the enquiry shows both', async () => {
    await using fixture = await startTestCore();
    const client = new LegacyCoreClient({ port: fixture.core.port, maxSessions: 2 });
    const first = await client.post(aPosting('ALLOC-1'));
    const second = await client.post(aPosting('ALLOC-1'));
    assert.deepEqual(first, { outcome: 'booked', sequence: 1, businessDate: '2026-12-07' });
    assert.deepEqual(second, { outcome: 'booked', sequence: 2, businessDate: '2026-12-07' });
    const booked = await client.enquire('ALLOC-1');
    assert.deepEqual(
      booked.map((posting) => [
        posting.sequence,
        posting.amountMinor,
        posting.debitAccount,
        posting.valueDate,
      ]),
      [
        [1, 12_345, '10000001', '2026-12-08'],
        [2, 12_345, '10000001', '2026-12-08'],
      ],
    );
    assert.deepEqual(await client.enquire('NEVER-SENT'), []);
    await client.close();
  });

  it('rejects unknown accounts, currencies, non-positive amounts and bad dates with a reason code', async () => {
    await using fixture = await startTestCore();
    const client = new LegacyCoreClient({ port: fixture.core.port });
    const cases: [Partial<ReturnType<typeof aPosting>>, string][] = [
      [{ debitAccount: '12345678' }, 'R01'],
      [{ creditAccount: '99999999' }, 'R02'],
      [{ currency: 'XYZ' }, 'R03'],
      [{ amountMinor: 0 }, 'R04'],
      [{ amountMinor: -500 }, 'R04'],
      [{ amountMinor: 1.5 }, 'R04'],
      [{ valueDate: '2026-02-30' }, 'R05'],
      [{ clientReference: 'A REFERENCE WITH SPACES' }, 'R06'],
      [{ creditAccount: '10000001' }, 'R07'],
    ];
    for (const [change, code] of cases) {
      const result = await client.post({ ...aPosting('REJ-1'), ...change });
      assert.equal(result.outcome, 'rejected', JSON.stringify(change));
      assert.equal(result.outcome === 'rejected' && result.code, code, JSON.stringify(change));
    }
    assert.deepEqual(await client.enquire('REJ-1'), [], 'a rejected posting books nothing');
    await client.close();
  });

  it('refuses postings in the batch window, still answers enquiries, and books again after it', async () => {
    await using fixture = await startTestCore();
    const client = new LegacyCoreClient({ port: fixture.core.port });
    await client.post(aPosting('BW-0'));
    assert.equal(await client.control('BATCH', 'ON'), 'BATCH ON');
    assert.deepEqual(await client.post(aPosting('BW-1')), { outcome: 'refused-batch-window' });
    assert.equal((await client.enquire('BW-0')).length, 1, 'enquiries work in the window');
    await client.control('BATCH', 'OFF');
    assert.equal((await client.post(aPosting('BW-1'))).outcome, 'booked');
    await client.close();
  });

  it('refuses a configured nightly window that contains now', async () => {
    const now = new Date();
    const clock = (offsetMinutes: number) =>
      new Date(now.getTime() + offsetMinutes * 60_000).toISOString().slice(11, 16);
    await using fixture = await startTestCore({ batchWindow: { start: clock(-5), end: clock(5) } });
    const client = new LegacyCoreClient({ port: fixture.core.port });
    assert.deepEqual(await client.post(aPosting('NIGHT-1')), { outcome: 'refused-batch-window' });
    await client.close();
  });

  it('limits concurrent sessions and refuses one more logon with status 30', async () => {
    await using fixture = await startTestCore({ maxSessions: 2 });
    const terminals = [await rawTerminal(fixture.core.port), await rawTerminal(fixture.core.port)];
    for (const terminal of terminals) terminal.send('LGON|TERM');
    for (const terminal of terminals)
      assert.match((await terminal.read(1))[0] ?? '', /^LGOK\|\d{4}\|20261207$/);
    const client = new LegacyCoreClient({ port: fixture.core.port });
    await assert.rejects(client.post(aPosting('LIMIT-1')), (error: unknown) => {
      assert.ok(error instanceof CoreUnavailableError);
      assert.equal(error.code, 'LEGACY_CORE_UNAVAILABLE');
      assert.match(error.message, /30 SESSION LIMIT 2 REACHED/);
      return true;
    });
    // A session that logs off frees its place.
    terminals[0]?.send('LGOF');
    assert.deepEqual(await terminals[0]?.read(1), ['LGBY']);
    await terminals[0]?.closed;
    assert.equal((await client.post(aPosting('LIMIT-1'))).outcome, 'booked');
    terminals[1]?.destroy();
    await client.close();
  });

  it('answers a malformed record with ERRR|90 and keeps the session; an endless line closes it', async () => {
    await using fixture = await startTestCore();
    const terminal = await rawTerminal(fixture.core.port);
    terminal.send('ENQR|000001|X');
    assert.deepEqual(await terminal.read(1), ['ERRR|40|NOT LOGGED ON']);
    terminal.send('LGON|TERM', 'HELLO', 'POST|000002|REF|10000001', 'ENQR|000003|NOBODY');
    const [logon, ...rest] = await terminal.read(4);
    assert.match(logon ?? '', /^LGOK\|/);
    assert.deepEqual(rest, [
      'ERRR|90|UNKNOWN RECORD TYPE HELLO',
      'ERRR|90|POST WANTS 7 FIELDS, GOT 3',
      'ENHD|000003|0000',
    ]);
    terminal.sendRaw('X'.repeat(1_000));
    assert.deepEqual(await terminal.read(1), ['ERRR|90|RECORD TOO LONG']);
    await terminal.closed;
  });

  it('keeps a daily sequence per business date and an audit where debits equal credits', async () => {
    await using fixture = await startTestCore();
    const client = new LegacyCoreClient({ port: fixture.core.port, maxSessions: 4 });
    await Promise.all(
      Array.from({ length: 20 }, (_, index) => client.post(aPosting(`DAY1-${index}`, 100 + index))),
    );
    await client.control('DATE', '20261208');
    const nextDay = await client.post({ ...aPosting('DAY2-0', 7), currency: 'USD' });
    assert.deepEqual(nextDay, { outcome: 'booked', sequence: 1, businessDate: '2026-12-08' });

    const audit = await client.audit();
    assert.equal(audit.postings.length, 21);
    assert.deepEqual(
      audit.postings
        .filter((posting) => posting.businessDate === '2026-12-07')
        .map((posting) => posting.sequence),
      Array.from({ length: 20 }, (_, index) => index + 1),
      'no sequence drawn twice, none skipped, across four concurrent sessions',
    );
    const gbp = audit.totals.find((total) => total.currency === 'GBP');
    assert.equal(gbp?.debits, BigInt(20 * 100 + 190));
    assert.equal(gbp?.credits, gbp?.debits);
    assert.equal(audit.balanced, true);
    // The operator's view straight from the journal says the same.
    assert.deepEqual(readLedger(fixture.journalPath), audit);
    assert.deepEqual(fixture.core.audit(), audit);
    await client.close();
  });
});
