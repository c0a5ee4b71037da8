import type { MessageOf } from '@switchyard/bus';
import type {
  AllocationInstructed,
  SettlementInstructed,
  TradeAmended,
  TradeExecuted,
} from '../../src/modules/trades/contracts.ts';

/** A trade of 300 units at 12.50 split 100/200 between two accounts, with what each stream sends for it. */
export function tradeMessages(tradeId = 'T-1') {
  const executionRef = `X-${tradeId}`;
  const executed: MessageOf<typeof TradeExecuted> = {
    tradeId,
    executionRef,
    instrument: 'GB0002634946',
    side: 'buy',
    quantity: 300,
    priceMinor: 1_250,
    currency: 'GBP',
    tradeDate: '2026-12-07',
    executedAt: '2026-12-07T09:30:00.000Z',
  };
  const allocated: MessageOf<typeof AllocationInstructed> = {
    instructionId: `I-${tradeId}`,
    tradeId,
    allocations: [
      { allocationId: `${tradeId}-A1`, account: '10000001', quantity: 100 },
      { allocationId: `${tradeId}-A2`, account: '10000002', quantity: 200 },
    ],
  };
  const settlement = (allocationId: string): MessageOf<typeof SettlementInstructed> => ({
    settlementId: `S-${allocationId}`,
    executionRef,
    allocationId,
    settlementDate: '2026-12-09',
    currency: 'GBP',
    custodianAccount: 'CUST-9',
  });
  const amended: MessageOf<typeof TradeAmended> = { tradeId, version: 2, quantity: 300, priceMinor: 1_260 };
  return {
    executed,
    allocated,
    settlements: [settlement(`${tradeId}-A1`), settlement(`${tradeId}-A2`)],
    amended,
  };
}
