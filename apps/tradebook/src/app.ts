import { defineApp, type ModuleDefinition } from '@switchyard/host';
import { LegacyCoreClient } from '@switchyard/legacy-core';
import { type CoreConnection, coreConnectionFrom } from './core/core-connection.ts';
import { LegacyCoreLedger } from './core/legacy-core-ledger.ts';
import type { CoreLedger } from './modules/booking/core-ledger.ts';
import { bookingEndpoint, bookingModule } from './modules/booking/module.ts';
import { tradesModule } from './modules/trades/module.ts';
import { tradeCommands } from './modules/trades/trade-commands.ts';
import { tradeSaga } from './modules/trades/trade-saga.ts';

export interface TradebookOptions {
  readonly core: CoreLedger;
  readonly connection: CoreConnection;
  /** How long a trade's parts may take to arrive, and booking may take, before an exception (default 10 minutes each). */
  readonly incompleteAfterMs?: number;
  readonly bookingOverdueAfterMs?: number;
  /** How long a settlement, amendment or cancellation waits for its trade before the error queue (default 1 hour). */
  readonly parkLimitMs?: number;
  /** How long booking waits before trying again when the core is closed or unreachable (default 5 s). */
  readonly retryAfterMs?: number;
}

/** The modules of tradebook: the trades (a saga per trade, operations routes) and booking (the core's one client). */
export function tradebookModules(options: TradebookOptions): ModuleDefinition[] {
  return [
    tradesModule({
      bookingAddress: `queue:${bookingEndpoint}`,
      incompleteAfterMs: options.incompleteAfterMs,
      bookingOverdueAfterMs: options.bookingOverdueAfterMs,
      parkLimitMs: options.parkLimitMs,
    }),
    bookingModule({
      core: options.core,
      concurrency: options.connection.sessions * 2,
      inDoubtMs: options.connection.inDoubtMs,
      retryAfterMs: options.retryAfterMs,
    }),
  ];
}

/** Booking's core over a client made for `connection`; the client connects on first use (close it when done). */
export function coreFor(connection: CoreConnection): { core: LegacyCoreLedger; client: LegacyCoreClient } {
  const client = new LegacyCoreClient({
    host: connection.host,
    port: connection.port,
    maxSessions: connection.sessions,
    timeoutMs: connection.timeoutMs,
  });
  return { core: new LegacyCoreLedger(client), client };
}

/** The core as the environment names it (TRADEBOOK_CORE_*). */
export function coreFromEnvironment(env: Readonly<Record<string, string | undefined>>): {
  core: LegacyCoreLedger;
  client: LegacyCoreClient;
  connection: CoreConnection;
} {
  const connection = coreConnectionFrom(env);
  return { ...coreFor(connection), connection };
}

/** Tradebook as `yard` and `npm run tradebook` run it. */
export const app = defineApp({
  title: 'Tradebook',
  version: '0.1.0',
  modules: () => {
    const { core, connection } = coreFromEnvironment(process.env);
    return tradebookModules({ core, connection });
  },
  profiles: { all: ['trades', 'booking'], trading: ['trades'], booking: ['booking'] },
  commands: tradeCommands,
  // For `yard saga show`, which reads instances by saga name; the options do not change the name.
  sagas: [
    tradeSaga({
      bookingAddress: 'queue:x',
      incompleteAfterMs: 1,
      bookingOverdueAfterMs: 1,
      parkLimitMs: 1,
      houseAccount: 'x',
    }),
  ],
});
