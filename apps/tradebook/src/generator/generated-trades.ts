import type { MessageOf } from '@switchyard/bus';
import type {
  AllocationInstructed,
  Currency,
  SettlementInstructed,
  TradeAmended,
  TradeCancelled,
  TradeExecuted,
} from '../modules/trades/contracts.ts';
import type { SeededRandom } from './seeded-random.ts';

/** One trade as the three upstream desks report it, with its corrections. */
export interface GeneratedTrade {
  readonly tradeId: string;
  readonly executed: MessageOf<typeof TradeExecuted>;
  readonly allocated: MessageOf<typeof AllocationInstructed>;
  readonly settlements: readonly MessageOf<typeof SettlementInstructed>[];
  readonly amended?: MessageOf<typeof TradeAmended>;
  readonly cancelled?: MessageOf<typeof TradeCancelled>;
}

export interface TradeShape {
  /** Prefixes every id, so runs do not meet. */
  readonly prefix: string;
  /** Client accounts the core knows; allocations go to them. */
  readonly accounts: readonly string[];
  /** Share of trades amended once (a new price), and of trades cancelled (default 5% and 2%). */
  readonly amendShare?: number;
  readonly cancelShare?: number;
  /** At most this many allocations per trade (default 4). */
  readonly maxAllocations?: number;
}

const currencies: readonly Currency[] = ['GBP', 'USD', 'EUR', 'CHF', 'JPY'];
const instruments = [
  'GB0002634946',
  'GB0007980591',
  'US0378331005',
  'US5949181045',
  'DE0007164600',
  'CH0038863350',
];

/** Trade number `index` of a run: a block of 100 to 100,000 units split between 1 to 4 accounts. */
export function generateTrade(index: number, random: SeededRandom, shape: TradeShape): GeneratedTrade {
  const tradeId = `${shape.prefix}-T${String(index).padStart(7, '0')}`;
  const executionRef = `${shape.prefix}-X${String(index).padStart(7, '0')}`;
  const quantity = random.between(1, 1_000) * 100;
  const priceMinor = random.between(100, 50_000);
  const currency = random.pick(currencies);
  const tradeDate = new Date().toISOString().slice(0, 10);
  const executed: MessageOf<typeof TradeExecuted> = {
    tradeId,
    executionRef,
    instrument: random.pick(instruments),
    side: random.chance(0.5) ? 'buy' : 'sell',
    quantity,
    priceMinor,
    currency,
    tradeDate,
    executedAt: new Date().toISOString(),
  };
  const count = Math.min(random.between(1, shape.maxAllocations ?? 4), quantity);
  const cuts = new Set<number>();
  while (cuts.size < count - 1) cuts.add(random.between(1, quantity - 1));
  const bounds = [0, ...[...cuts].sort((a, b) => a - b), quantity];
  const allocations = bounds.slice(1).map((end, position) => ({
    allocationId: `${tradeId}-A${position + 1}`,
    account: random.pick(shape.accounts),
    quantity: end - (bounds[position] ?? 0),
  }));
  const settlementDate = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  return {
    tradeId,
    executed,
    allocated: { instructionId: `${tradeId}-I1`, tradeId, allocations },
    settlements: allocations.map((allocation) => ({
      settlementId: `${allocation.allocationId}-S`,
      executionRef,
      allocationId: allocation.allocationId,
      settlementDate,
      currency,
      custodianAccount: `CUST-${allocation.account}`,
    })),
    ...(random.chance(shape.amendShare ?? 0.05)
      ? { amended: { tradeId, version: 2, quantity, priceMinor: priceMinor + random.between(1, 50) } }
      : {}),
    ...(random.chance(shape.cancelShare ?? 0.02)
      ? { cancelled: { tradeId, reason: 'cancelled by the desk' } }
      : {}),
  };
}
