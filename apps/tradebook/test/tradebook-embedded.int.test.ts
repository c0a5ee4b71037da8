import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultAccounts } from '@switchyard/legacy-core';
import type { GeneratedTrade } from '../src/generator/generated-trades.ts';
import { TradeFeed } from '../src/generator/trade-feed.ts';
import { startTradebookSystem, type TradebookSystem } from './support/tradebook-system.ts';

describe('tradebook, embedded, booking into a flaky core', () => {
  let system: TradebookSystem;
  before(async () => {
    system = await startTradebookSystem({
      core: {
        seed: 7,
        latency: { medianMs: 5, sigma: 0.8, maxMs: 300 },
        faults: { dropBeforeBookingRate: 0.05, lostReplyRate: 0.05, stallRate: 0.03, stallMs: 1_500 },
      },
    });
  });
  after(async () => {
    await system?.stop();
  });

  it('books every allocation exactly once through disorder, duplicates, lost replies and dropped sessions', {
    timeout: 240_000,
  }, async () => {
    const trades: GeneratedTrade[] = [];
    const bus = system.host.bus;
    assert.ok(bus);
    const feed = new TradeFeed(bus, {
      prefix: `e${Date.now().toString(36)}`,
      accounts: defaultAccounts.filter((account) => account !== '90000001'),
      trades: 40,
      ratePerSecond: 40,
      seed: 3,
      duplicateShare: 0.15,
      onTrade: (trade) => trades.push(trade),
    });
    const sent = await feed.run();
    assert.equal(sent.trades, 40);
    assert.ok(sent.duplicates > 0);

    // Every trade ends booked, or cancelled, without a person.
    const deadline = Date.now() + 200_000;
    let open = trades.map((trade) => trade.tradeId);
    while (open.length > 0) {
      assert.ok(Date.now() < deadline, `still not settled: ${open.slice(0, 5).join(', ')}`);
      const states = await Promise.all(
        open.map(async (tradeId) => [tradeId, (await system.trade(tradeId))?.state]),
      );
      open = states
        .filter(([, state]) => state !== 'Booked' && state !== 'Cancelled')
        .map(([tradeId]) => tradeId as string);
      if (open.length > 0) await sleep(500);
    }

    // The core's own ledger: each reference booked once, debits equal credits, nothing the trades did not ask for.
    const audit = system.core.audit();
    assert.equal(audit.balanced, true);
    const byRef = new Map<string, number>();
    for (const posting of audit.postings)
      byRef.set(posting.clientReference, (byRef.get(posting.clientReference) ?? 0) + 1);
    const twice = [...byRef].filter(([, count]) => count > 1);
    assert.deepEqual(twice, [], 'no reference booked twice');
    const views = await Promise.all(trades.map((trade) => system.trade(trade.tradeId)));
    const asked = new Set(views.flatMap((view) => view?.postings.map((posting) => posting.clientRef) ?? []));
    for (const ref of byRef.keys()) assert.ok(asked.has(ref), `${ref} was booked but no trade wants it`);
    for (const [index, view] of views.entries()) {
      const trade = trades[index] as GeneratedTrade;
      for (const posting of view?.postings ?? []) {
        if (posting.status === 'booked')
          assert.equal(byRef.get(posting.clientRef), 1, `${trade.tradeId} ${posting.clientRef}`);
      }
      if (view?.state === 'Booked') {
        const wanted = view.postings.filter((posting) => posting.status === 'booked');
        assert.ok(
          wanted.length >= trade.allocated.allocations.length,
          `${trade.tradeId} booked its allocations`,
        );
      }
    }
    const exceptions = (await (await fetch(`${system.url}/trades/exceptions`)).json()) as { total: number };
    assert.equal(exceptions.total, 0);
    // The summary follows the saga's events a moment later.
    let summary = { booked: 0, cancelled: 0 };
    for (let tries = 0; tries < 40 && summary.booked + summary.cancelled < trades.length; tries += 1) {
      if (tries > 0) await sleep(250);
      summary = (await (await fetch(`${system.url}/trades/summary`)).json()) as typeof summary;
    }
    assert.equal(summary.booked + summary.cancelled, trades.length);
    assert.equal(summary.cancelled, trades.filter((trade) => trade.cancelled).length);
    // The faults happened and were handled as decision 0031 says: lost answers found by enquiry, and
    // postings dropped before booking sent again only after the enquiry found nothing.
    const sql = system.host.sql;
    assert.ok(sql);
    const { rows } = await sql.query(
      `select count(*) filter (where enquiries > 0) as enquired, count(*) filter (where attempts > 1) as resent,
         count(*) filter (where enquiries > 0 and attempts = 1) as found_by_enquiry from booking.posting_journal`,
    );
    const journal = rows[0] as {
      enquired: number | string;
      resent: number | string;
      found_by_enquiry: number | string;
    };
    assert.ok(Number(journal.enquired) > 0, `enquiries made: ${JSON.stringify(journal)}`);
    assert.ok(
      Number(journal.found_by_enquiry) > 0,
      `lost answers found by enquiry: ${JSON.stringify(journal)}`,
    );
    assert.ok(
      Number(journal.resent) > 0,
      `postings sent again after an enquiry found nothing: ${JSON.stringify(journal)}`,
    );
  });
});
