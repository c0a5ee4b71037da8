import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CoreConnectionLostError,
  CoreTimeoutError,
  CoreUnavailableError,
  LegacyCoreClient,
} from '../src/index.ts';
import { lognormalMs, seededRandom } from '../src/server/seeded-random.ts';
import { aPosting, startTestCore } from './support/core-fixture.ts';

/** What a caller saw for one POST. */
async function outcomeOf(client: LegacyCoreClient, reference: string): Promise<string> {
  try {
    return (await client.post(aPosting(reference), { timeoutMs: 250 })).outcome;
  } catch (error) {
    if (error instanceof CoreTimeoutError || error instanceof CoreConnectionLostError) return error.code;
    throw error;
  }
}

describe('legacy core faults', () => {
  it('loses the reply of a booked posting: the client throws, an enquiry finds it, the next call reconnects', async () => {
    await using fixture = await startTestCore();
    const client = new LegacyCoreClient({ port: fixture.core.port, maxSessions: 1 });
    await client.control('FAULT', 'LOST-REPLY', '1');
    await assert.rejects(client.post(aPosting('LOST-1')), (error: unknown) => {
      assert.ok(error instanceof CoreConnectionLostError);
      assert.equal(error.code, 'LEGACY_CORE_CONNECTION_LOST');
      assert.equal(error.outcome, 'unknown');
      return true;
    });
    const found = await client.enquire('LOST-1');
    assert.equal(found.length, 1, 'booked although the reply never came');
    assert.equal((await client.post(aPosting('LOST-2'))).outcome, 'booked');
    assert.equal(fixture.core.audit().postings.length, 2, 'the client did not resend LOST-1 by itself');
    await client.close();
  });

  it('drops the connection before booking: the client throws and the enquiry finds nothing', async () => {
    await using fixture = await startTestCore();
    const client = new LegacyCoreClient({ port: fixture.core.port, maxSessions: 1 });
    await client.control('FAULT', 'DROP-BEFORE-BOOKING', '1');
    await assert.rejects(client.post(aPosting('DROP-1')), CoreConnectionLostError);
    assert.deepEqual(await client.enquire('DROP-1'), []);
    await client.close();
  });

  it('stalls a reply beyond the client timeout: CoreTimeoutError, and the posting is already booked', async () => {
    await using fixture = await startTestCore({ faults: { stallMs: 2_000 } });
    const client = new LegacyCoreClient({ port: fixture.core.port, maxSessions: 2 });
    await client.control('FAULT', 'STALL', '1');
    const started = Date.now();
    await assert.rejects(client.post(aPosting('SLOW-1'), { timeoutMs: 150 }), (error: unknown) => {
      assert.ok(error instanceof CoreTimeoutError);
      assert.equal(error.code, 'LEGACY_CORE_TIMEOUT');
      return true;
    });
    assert.ok(Date.now() - started < 1_000, 'the client gave up at its own timeout');
    assert.equal((await client.enquire('SLOW-1')).length, 1);
    await client.close();
  });

  it('cannot connect: CoreUnavailableError, nothing sent', async () => {
    const port = await (async () => {
      await using fixture = await startTestCore();
      return fixture.core.port;
    })();
    const client = new LegacyCoreClient({ port, connectTimeoutMs: 500 });
    await assert.rejects(client.post(aPosting('NOWHERE-1')), (error: unknown) => {
      assert.ok(error instanceof CoreUnavailableError);
      assert.equal(error.outcome, 'not-sent');
      return true;
    });
    await client.close();
  });

  it('replays the same faults from the same seed, and others from another seed', async () => {
    const run = async (seed: number) => {
      await using fixture = await startTestCore({
        seed,
        faults: { dropBeforeBookingRate: 0.1, lostReplyRate: 0.1, stallRate: 0.05, stallMs: 1_500 },
      });
      const client = new LegacyCoreClient({ port: fixture.core.port, maxSessions: 1 });
      const outcomes: string[] = [];
      for (let index = 0; index < 40; index++) outcomes.push(await outcomeOf(client, `SEED-${index}`));
      // The stalled replies are still on their way; the ledger already holds them.
      const booked = fixture.core.audit().postings.map((posting) => posting.clientReference);
      await client.close();
      return { outcomes, booked };
    };
    const first = await run(42);
    const again = await run(42);
    const other = await run(7);
    assert.deepEqual(again, first);
    assert.notDeepEqual(other.outcomes, first.outcomes);
    for (const kind of ['booked', 'LEGACY_CORE_CONNECTION_LOST', 'LEGACY_CORE_TIMEOUT'])
      assert.ok(
        first.outcomes.includes(kind),
        `seed 42 over 40 posts meets ${kind}: ${first.outcomes.join(',')}`,
      );
    const lost = first.outcomes.filter((outcome) => outcome === 'LEGACY_CORE_CONNECTION_LOST').length;
    assert.ok(first.booked.length > first.outcomes.filter((outcome) => outcome === 'booked').length);
    assert.ok(first.booked.length < 40 && lost > 0, 'some connections dropped before booking');
  });

  it('draws latency with a long tail, the same from the same seed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 10_000 }, () => lognormalMs(random, 5, 1, 2_000)).sort((a, b) => a - b);
    };
    const samples = draw(3);
    const median = samples[5_000] ?? 0;
    const p99 = samples[9_900] ?? 0;
    assert.ok(median > 4.5 && median < 5.5, `median ${median}`);
    assert.ok(p99 > 40 && p99 < 65, `p99 ${p99}: about 5·e^2.33`);
    assert.deepEqual(draw(3), samples);
  });
});
