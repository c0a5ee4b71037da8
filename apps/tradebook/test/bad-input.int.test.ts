import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { entityNameFromUrn, type MessageType, massTransitJsonCodec, uuidv7 } from '@switchyard/bus';
import { PostgresErrorQueues, PostgresTransport } from '@switchyard/postgres';
import {
  AllocationInstructed,
  SettlementInstructed,
  TradeExecuted,
} from '../src/modules/trades/contracts.ts';
import { startTradebookSystem, type TradebookSystem } from './support/tradebook-system.ts';
import { tradeMessages } from './trades/trade-fixtures.ts';

describe('bad input on each stream', () => {
  let system: TradebookSystem;
  before(async () => {
    system = await startTradebookSystem({ incompleteAfterMs: 1_500, parkLimitMs: 2_000 });
  });
  after(async () => {
    await system?.stop();
  });

  it('goes to the error queue or an exception, with the reason, while the rest is booked', {
    timeout: 120_000,
  }, async () => {
    const sql = system.host.sql;
    const bus = system.host.bus;
    assert.ok(sql && bus);
    const transport = new PostgresTransport(sql);
    await transport.start();
    const raw = async (type: MessageType<unknown>, body: Uint8Array | unknown) => {
      const messageId = uuidv7();
      await transport.publish(entityNameFromUrn(type.urn), {
        messageId,
        contentType: massTransitJsonCodec.contentType,
        headers: {},
        body:
          body instanceof Uint8Array
            ? body
            : massTransitJsonCodec.encode({
                messageId,
                messageType: [type.urn],
                message: body,
                sentTime: new Date().toISOString(),
                headers: {},
              }),
      });
      return messageId;
    };
    const good = tradeMessages('GOOD-1');
    const malformed = await raw(
      TradeExecuted as MessageType<unknown>,
      new TextEncoder().encode('{"messageId": not json'),
    );
    const negative = await raw(TradeExecuted as MessageType<unknown>, {
      ...tradeMessages('NEG-1').executed,
      quantity: -5,
    });
    const unknownCurrency = await raw(SettlementInstructed as MessageType<unknown>, {
      ...good.settlements[0],
      currency: 'XXX',
    });
    // A settlement whose execution never comes, and an allocation instruction for a trade never executed.
    const orphanSettlement = await raw(SettlementInstructed as MessageType<unknown>, {
      ...tradeMessages('NEVER-1').settlements[0],
    });
    await bus.publish(AllocationInstructed, tradeMessages('NEVER-2').allocated);
    // The good trade, through the same streams.
    await bus.publish(TradeExecuted, good.executed);
    await bus.publish(AllocationInstructed, good.allocated);
    for (const settlement of good.settlements) await bus.publish(SettlementInstructed, settlement);

    const errors = new PostgresErrorQueues(sql);
    const deadline = Date.now() + 60_000;
    let inError: Awaited<ReturnType<PostgresErrorQueues['list']>> = [];
    let trade = await system.trade('GOOD-1');
    let exceptions = { total: 0, exceptions: [] as { tradeId: string; kind: string; detail: string }[] };
    while (Date.now() < deadline) {
      inError = await errors.list('trades_error');
      trade = await system.trade('GOOD-1');
      exceptions = (await (await fetch(`${system.url}/trades/exceptions`)).json()) as typeof exceptions;
      if (inError.length >= 4 && trade?.state === 'Booked' && exceptions.total >= 1) break;
      await sleep(250);
    }
    await transport.close();
    const reasonOf = (messageId: string) => {
      // A parked message expelled by the saga goes under a new id; its fault names the one it held.
      const found = inError.find(
        (each) => each.messageId === messageId || each.fault.message?.includes(`message ${messageId}`),
      );
      assert.ok(
        found,
        `${messageId} is in trades_error (${inError.map((each) => each.messageId).join(', ')}); exceptions ${JSON.stringify(exceptions)}; GOOD-1 ${trade?.state}`,
      );
      return `${found.fault.exceptionType}: ${found.fault.message}`;
    };
    assert.match(reasonOf(malformed), /not valid JSON/);
    assert.match(reasonOf(negative), /quantity/);
    assert.match(reasonOf(unknownCurrency), /currency/);
    assert.match(
      reasonOf(orphanSettlement),
      /No tradebook\.trades\.Trade saga appeared for "settled" .* before its park limit/,
    );
    assert.equal(inError.length, 4, 'nothing else is in the error queue');
    assert.equal(trade?.state, 'Booked', 'the good trade is booked');
    const never = exceptions.exceptions.find((each) => each.tradeId === 'NEVER-2');
    assert.equal(never?.kind, 'incomplete');
    assert.match(never?.detail ?? '', /still waiting for the execution/);
  });
});
