import type { Bus, MessageType } from '@switchyard/bus';
import {
  AllocationInstructed,
  SettlementInstructed,
  TradeAmended,
  TradeCancelled,
  TradeExecuted,
} from '../modules/trades/contracts.ts';
import { type GeneratedTrade, generateTrade, type TradeShape } from './generated-trades.ts';
import { SeededRandom } from './seeded-random.ts';

export interface FeedOptions extends TradeShape {
  readonly trades: number;
  /** New trades per second. */
  readonly ratePerSecond: number;
  readonly seed?: number;
  /** Share of messages sent twice, the copy later, under a new message id (default 10%). */
  readonly duplicateShare?: number;
  /** How many messages wait to be shuffled before one goes out: the larger, the later and more out of order (default 20). */
  readonly disorderWindow?: number;
  /**
   * Publishes awaiting the broker's confirmation at once (default 32). One at a time, a feed on
   * RabbitMQ would wait a round trip per message and could not outpace the system it feeds.
   */
  readonly inFlight?: number;
  /** Called with each trade as it is generated, before its messages go out. */
  readonly onTrade?: (trade: GeneratedTrade) => void;
}

/** What a feed sent. */
export interface FeedReport {
  readonly trades: number;
  readonly messages: number;
  readonly duplicates: number;
}

interface Pending {
  readonly type: MessageType<unknown>;
  readonly message: unknown;
}

/**
 * Feeds the three streams at a chosen rate, the way upstream desks do: a trade's execution, allocation
 * instruction and settlement instructions (and some amendments and cancellations) go out in any
 * order, late (shuffled within a window), and some twice. The same seed sends the same run.
 */
export class TradeFeed {
  readonly #bus: Bus;
  readonly #options: FeedOptions;

  constructor(bus: Bus, options: FeedOptions) {
    this.#bus = bus;
    this.#options = options;
  }

  async run(signal?: AbortSignal): Promise<FeedReport> {
    const options = this.#options;
    const random = new SeededRandom(options.seed ?? 1);
    const window: Pending[] = [];
    const windowSize = options.disorderWindow ?? 20;
    const duplicateShare = options.duplicateShare ?? 0.1;
    const intervalMs = 1_000 / options.ratePerSecond;
    const started = Date.now();
    let messages = 0;
    let duplicates = 0;
    const inFlight = new Set<Promise<void>>();
    const maxInFlight = options.inFlight ?? 32;
    // The first publish that failed: the feed stops at it, once what is in flight has settled.
    let failure: { readonly error: unknown } | undefined;
    const emit = async () => {
      const index = Math.floor(random.next() * window.length);
      const [next] = window.splice(index, 1);
      if (!next) return;
      const publishing: Promise<void> = this.#bus
        .publish(next.type, next.message)
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => inFlight.delete(publishing));
      inFlight.add(publishing);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      if (failure) {
        await Promise.all(inFlight);
        throw failure.error;
      }
      messages += 1;
      if (random.chance(duplicateShare)) {
        window.push(next);
        duplicates += 1;
      }
    };
    let trades = 0;
    for (; trades < options.trades && !signal?.aborted; trades += 1) {
      const trade = generateTrade(trades, random, options);
      options.onTrade?.(trade);
      const parts: Pending[] = [
        { type: TradeExecuted as MessageType<unknown>, message: trade.executed },
        { type: AllocationInstructed as MessageType<unknown>, message: trade.allocated },
        ...trade.settlements.map((message) => ({
          type: SettlementInstructed as MessageType<unknown>,
          message,
        })),
        ...(trade.amended ? [{ type: TradeAmended as MessageType<unknown>, message: trade.amended }] : []),
        ...(trade.cancelled
          ? [{ type: TradeCancelled as MessageType<unknown>, message: trade.cancelled }]
          : []),
      ];
      window.push(...parts);
      while (window.length > windowSize) await emit();
      const due = started + (trades + 1) * intervalMs;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    while (window.length > 0 && !signal?.aborted) await emit();
    await Promise.all(inFlight);
    if (failure) throw failure.error;
    return { trades, messages, duplicates };
  }
}
