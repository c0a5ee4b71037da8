import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHost, type Host, loadHostConfig } from '@switchyard/host';
import { type CoreConfigInput, type LegacyCore, startLegacyCore } from '@switchyard/legacy-core';
import { coreFor, tradebookModules } from '../../src/app.ts';

/** Tradebook in this process (embedded, or on the servers `env` names) booking into a core of its own. */
export interface TradebookSystem {
  readonly host: Host;
  readonly core: LegacyCore;
  readonly url: string;
  /** The trade as GET /trades/{id} shows it, or undefined while it is unknown. */
  trade(
    tradeId: string,
  ): Promise<{ state: string; postings: { clientRef: string; status: string }[] } | undefined>;
  stop(): Promise<void>;
}

export interface TradebookSystemOptions {
  /** The core's settings beyond a free port and a journal in a fresh folder. */
  readonly core?: CoreConfigInput;
  /** Host settings as environment variables (default: embedded in memory). */
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
  readonly inDoubtMs?: number;
  /** The trades' deadlines (default a minute each). */
  readonly incompleteAfterMs?: number;
  readonly parkLimitMs?: number;
}

export async function startTradebookSystem(options: TradebookSystemOptions = {}): Promise<TradebookSystem> {
  const folder = await mkdtemp(join(tmpdir(), 'tradebook-'));
  const core = await startLegacyCore({ port: 0, journalPath: join(folder, 'journal.dat'), ...options.core });
  const timeoutMs = options.timeoutMs ?? 1_000;
  const connection = {
    host: core.host,
    port: core.port,
    sessions: 4,
    timeoutMs,
    inDoubtMs: options.inDoubtMs ?? timeoutMs + 1_000,
  };
  const { core: ledger, client } = coreFor(connection);
  const { config } = loadHostConfig({
    cwd: folder,
    env: {
      SWITCHYARD_DATABASE__DATA_DIR: 'memory',
      SWITCHYARD_HTTP__PORT: '0',
      SWITCHYARD_LOG__LEVEL: 'error',
      ...options.env,
    },
  });
  const host = createHost({
    config,
    modules: tradebookModules({
      core: ledger,
      connection,
      retryAfterMs: 200,
      incompleteAfterMs: options.incompleteAfterMs ?? 60_000,
      bookingOverdueAfterMs: 60_000,
      parkLimitMs: options.parkLimitMs ?? 60_000,
    }),
  });
  const url = await host.start();
  return {
    host,
    core,
    url,
    async trade(tradeId) {
      const response = await fetch(`${url}/trades/${encodeURIComponent(tradeId)}`);
      if (response.status === 404) return undefined;
      return (await response.json()) as { state: string; postings: { clientRef: string; status: string }[] };
    },
    async stop() {
      await host.stop();
      await client.close();
      await core.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
