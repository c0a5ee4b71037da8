import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { exitCodes } from '@switchyard/cli';
import { runYard } from '../../../packages/cli/test/support/run-yard.ts';
import {
  AllocationInstructed,
  SettlementInstructed,
  TradeExecuted,
} from '../src/modules/trades/contracts.ts';
import { startTradebookSystem, type TradebookSystem } from './support/tradebook-system.ts';
import { tradeMessages } from './trades/trade-fixtures.ts';

const appFile = new URL('../src/app.ts', import.meta.url).pathname;

/** `yard --app <tradebook> …` in this process, pointed at the running tradebook by its configured port. */
function yard(url: string, ...args: string[]) {
  const env = { PATH: process.env.PATH, SWITCHYARD_HTTP__PORT: new URL(url).port };
  return runYard(['--app', appFile, ...args], { env, cwd: import.meta.dirname });
}

describe('yard trades: the operations routes from the command line', () => {
  let system: TradebookSystem;
  before(async () => {
    system = await startTradebookSystem({ incompleteAfterMs: 1_000 });
  });
  after(async () => {
    await system?.stop();
  });

  it('shows a trade, lists exceptions, retries, repairs, cancels and summarises, through the running tradebook', {
    timeout: 60_000,
  }, async () => {
    const bus = system.host.bus;
    assert.ok(bus);
    const good = tradeMessages('YARD-GOOD');
    // One allocation to an account the core does not know: the core refuses it, a person must act.
    const refused = tradeMessages('YARD-REFUSED');
    const refusedAllocations = refused.allocated.allocations.map((each, index) =>
      index === 0 ? { ...each, account: '10009999' } : each,
    );
    // An execution whose allocation never comes: incomplete at its deadline.
    const waiting = tradeMessages('YARD-WAITING');
    for (const trade of [
      good,
      { ...refused, allocated: { ...refused.allocated, allocations: refusedAllocations } },
    ]) {
      await bus.publish(TradeExecuted, trade.executed);
      await bus.publish(AllocationInstructed, trade.allocated);
      for (const settlement of trade.settlements) await bus.publish(SettlementInstructed, settlement);
    }
    await bus.publish(TradeExecuted, waiting.executed);

    let exceptions = await yard(system.url, '--json', 'trades', 'exceptions');
    for (let tries = 0; tries < 100 && JSON.parse(exceptions.out || '{"total":0}').total < 2; tries += 1) {
      await sleep(200);
      exceptions = await yard(system.url, '--json', 'trades', 'exceptions');
    }
    assert.equal(exceptions.code, exitCodes.ok, exceptions.err);
    const listed = JSON.parse(exceptions.out) as {
      total: number;
      exceptions: { tradeId: string; kind: string }[];
    };
    assert.deepEqual(listed.exceptions.map((each) => `${each.tradeId} ${each.kind}`).sort(), [
      'YARD-REFUSED core-rejected',
      'YARD-WAITING incomplete',
    ]);
    const table = await yard(system.url, 'trades', 'exceptions', '--kind', 'incomplete');
    assert.equal(table.code, exitCodes.ok);
    assert.match(table.out, /^1 open exception\n/);
    assert.match(table.out, /│ YARD-WAITING │ incomplete │/);
    assert.doesNotMatch(table.out, /YARD-REFUSED/);

    const shown = await yard(system.url, 'trades', 'show', 'YARD-GOOD');
    assert.equal(shown.code, exitCodes.ok, shown.err);
    assert.match(shown.out, /^YARD-GOOD: Booked, version 1; buy 300 GB0002634946 at 1250 GBP/);
    assert.match(shown.out, /│ YARD-GOOD-A1 +│ 10000001 +│ 90000001 +│ 125000 GBP +│ booked +│ \d+ /);
    assert.match(shown.out, /Timeline/);

    const rejected = await yard(system.url, 'trades', 'show', 'YARD-REFUSED');
    assert.match(rejected.out, /exception \(core-rejected\): /);
    assert.match(rejected.out, /│ rejected: /);

    // A retry asks booking again (the core refuses the unknown account again); the timeline records it.
    const retried = await yard(system.url, 'trades', 'retry', 'YARD-REFUSED', '--by', 'ops-desk');
    assert.equal(retried.code, exitCodes.ok, retried.err);
    assert.equal(
      retried.out,
      'Retry of YARD-REFUSED sent (by ops-desk); follow it with: yard trades show YARD-REFUSED\n',
    );
    let timeline: { event: string }[] = [];
    for (let tries = 0; tries < 50 && !timeline.some((step) => step.event === 'retry'); tries += 1) {
      if (tries > 0) await sleep(100);
      timeline = (
        JSON.parse((await yard(system.url, '--json', 'trades', 'show', 'YARD-REFUSED')).out) as {
          timeline: { event: string }[];
        }
      ).timeline;
    }
    assert.ok(
      timeline.some((step) => step.event === 'retry'),
      JSON.stringify(timeline),
    );

    const summary = await yard(system.url, '--json', 'trades', 'summary');
    assert.equal(summary.code, exitCodes.ok);
    assert.deepEqual(
      (({ booked, openExceptions }) => ({ booked, openExceptions }))(
        JSON.parse(summary.out) as { booked: number; openExceptions: number },
      ),
      { booked: 1, openExceptions: 2 },
    );

    // The repair: the refused account replaced on the desk's behalf; the trade books and leaves the list.
    const malformed = await yard(
      system.url,
      'trades',
      'reallocate',
      'YARD-REFUSED',
      '--allocations',
      'YARD-REFUSED-A1',
    );
    assert.equal(malformed.code, exitCodes.usage);
    assert.match(malformed.err, /answered 400 .*allocations/);
    const repaired = await yard(
      system.url,
      'trades',
      'reallocate',
      'YARD-REFUSED',
      '--allocations',
      'YARD-REFUSED-A1=10000003:100,YARD-REFUSED-A2=10000002:200',
      '--by',
      'ops-desk',
    );
    assert.equal(repaired.code, exitCodes.ok, repaired.err);
    assert.match(repaired.out, /^New allocations for YARD-REFUSED sent as instruction repair-/);
    let state = '';
    for (let tries = 0; tries < 100 && state !== 'Booked'; tries += 1) {
      if (tries > 0) await sleep(100);
      state = (
        JSON.parse((await yard(system.url, '--json', 'trades', 'show', 'YARD-REFUSED')).out) as {
          state: string;
        }
      ).state;
    }
    assert.equal(state, 'Booked');
    const booked = system.core.audit().postings.filter((posting) => posting.debitAccount === '10000003');
    assert.equal(booked.length, 1, 'the repaired allocation booked once');

    // A cancellation after booking reverses it; a second one is refused, since the trade is cancelled.
    const cancelled = await yard(system.url, 'trades', 'cancel', 'YARD-GOOD', '--reason', 'booked in error');
    assert.equal(cancelled.code, exitCodes.ok, cancelled.err);
    for (let tries = 0; tries < 100 && state !== 'Cancelled'; tries += 1) {
      if (tries > 0) await sleep(100);
      state = (
        JSON.parse((await yard(system.url, '--json', 'trades', 'show', 'YARD-GOOD')).out) as { state: string }
      ).state;
    }
    assert.equal(state, 'Cancelled');
    const again = await yard(system.url, 'trades', 'cancel', 'YARD-GOOD', '--reason', 'twice');
    assert.equal(again.code, exitCodes.failed);
    assert.match(again.err, /answered 409 Trade cancelled: .*\(TRADE_CANCELLED\)\n$/);
    let after = { openExceptions: -1, cancelled: -1 };
    for (let tries = 0; tries < 50 && after.openExceptions !== 1; tries += 1) {
      if (tries > 0) await sleep(100);
      after = JSON.parse((await yard(system.url, '--json', 'trades', 'summary')).out) as typeof after;
    }
    assert.deepEqual(after, { ...after, openExceptions: 1, cancelled: 1 });

    const unknown = await yard(system.url, 'trades', 'show', 'NO-SUCH-TRADE');
    assert.equal(unknown.code, exitCodes.notFound);
    assert.match(unknown.err, /^GET \/trades\/NO-SUCH-TRADE answered 404 .*\(TRADE_NOT_FOUND\)\n$/);
    const badKind = await yard(system.url, 'trades', 'exceptions', '--kind', 'lost');
    assert.equal(badKind.code, exitCodes.usage);
  });
});
