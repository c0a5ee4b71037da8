import { createServer, type Socket } from 'node:net';
import { type Logger, pino } from 'pino';
import { type CoreConfigInput, parseCoreConfig } from '../config.ts';
import { Ledger } from '../store/ledger.ts';
import type { LedgerAudit } from '../store/ledger-model.ts';
import type { CoreState } from './core-state.ts';
import { FaultPlan } from './fault-plan.ts';
import { seededRandom } from './seeded-random.ts';
import { serveConnection } from './session.ts';

/** A running core. */
export interface LegacyCore {
  readonly host: string;
  readonly port: number;
  /** The whole ledger as the core holds it now. */
  audit(): LedgerAudit;
  /** Stops listening, drops every session and closes the journal. */
  close(): Promise<void>;
}

/** Starts a core in this process: validates the config, opens (and recovers) the journal, listens. */
export async function startLegacyCore(
  input: CoreConfigInput = {},
  options: { logger?: Logger } = {},
): Promise<LegacyCore> {
  const config = parseCoreConfig(input);
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'legacy-core' });
  const ledger = new Ledger(config.journalPath);
  const state: CoreState = {
    config,
    ledger,
    faults: new FaultPlan(config.seed, config.faults),
    latencyRandom: seededRandom(config.seed),
    logger,
    loggedOnSessions: 0,
    sessionsEverOpened: 0,
    batchMode: 'auto',
    businessDateOverride: null,
  };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, state);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    { port, journal: config.journalPath, postings: ledger.postingCount, maxSessions: config.maxSessions },
    'legacy core listening',
  );
  let closing: Promise<void> | undefined;
  return {
    host: config.host,
    port,
    audit: () => ledger.audit(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          ledger.close();
          resolve();
        });
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
