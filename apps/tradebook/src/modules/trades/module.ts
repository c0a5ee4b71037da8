import { receiveEndpoint, transactional } from '@switchyard/bus';
import { defineModule, type ModuleDefinition } from '@switchyard/host';
import { loadMigrations } from '@switchyard/postgres';
import { sagaEndpoint } from '@switchyard/saga';
import { TradeReadModel } from './trade-read-model.ts';
import { tradeRoutes } from './trade-routes.ts';
import { tradeSaga } from './trade-saga.ts';

const migrations = await loadMigrations(new URL('./migrations/', import.meta.url));

/** The queue of the trade saga. */
export const tradesEndpoint = 'trades';

export interface TradesModuleOptions {
  /** Where booking takes its commands (`queue:<endpoint>`). */
  readonly bookingAddress: string;
  /** How long a trade's parts may take to arrive before it is an exception (default 10 minutes). */
  readonly incompleteAfterMs?: number;
  /** How long booking may take before the trade is an exception (default 10 minutes). */
  readonly bookingOverdueAfterMs?: number;
  /** How long a settlement, amendment or cancellation waits for its trade (default 1 hour). */
  readonly parkLimitMs?: number;
  /** The core account every allocation is booked against (default 90000001, the core's house account). */
  readonly houseAccount?: string;
}

/**
 * Trades: a saga per trade that collects its three streams, checks they agree, asks booking for its
 * postings and follows them to the end, raising exceptions a person can see and retry; and the routes
 * operations use to look trades up.
 */
export function tradesModule(options: TradesModuleOptions): ModuleDefinition {
  const saga = tradeSaga({
    bookingAddress: options.bookingAddress,
    incompleteAfterMs: options.incompleteAfterMs ?? 600_000,
    bookingOverdueAfterMs: options.bookingOverdueAfterMs ?? 600_000,
    parkLimitMs: options.parkLimitMs ?? 3_600_000,
    houseAccount: options.houseAccount ?? '90000001',
  });
  return defineModule({
    name: 'trades',
    migrations,
    endpoints: (services) => [
      sagaEndpoint(saga, { ...services.sagaEndpointOptions, endpointName: tradesEndpoint }),
      // One at a time: an exception and the outcome that clears it apply in the order they were published.
      receiveEndpoint('trades-read-model', {
        concurrency: 1,
        middleware: [transactional(services.transactional)],
        consumers: new TradeReadModel(services.schema).consumers(services),
      }),
    ],
    routes: (services) =>
      tradeRoutes(services, saga, new TradeReadModel(services.schema), `queue:${tradesEndpoint}`),
  });
}
