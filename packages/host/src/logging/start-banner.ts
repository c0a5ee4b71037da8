import { redactUrl } from '@switchyard/bus';
import { isInMemoryDataDir } from '../config/data-directory.ts';
import type { HostConfig } from '../config/host-config.ts';

/** What a started host tells the person who started it: where to go, and what it runs on. */
export interface StartBanner {
  readonly url: string;
  readonly docs: string;
  readonly ready: string;
  readonly metrics: string;
  readonly database: string;
  readonly transport: string;
  readonly profile: string;
  readonly modules: readonly string[];
}

/** The banner's fields (URLs, database and transport with every password hidden), logged once at start. */
export function startBanner(config: HostConfig, url: string, modules: readonly string[]): StartBanner {
  return {
    url,
    docs: `${url}/docs`,
    ready: `${url}/health/ready`,
    metrics: `${url}/metrics`,
    database: describeDatabase(config.database),
    transport: describeTransport(config.transport),
    profile: config.profile,
    modules,
  };
}

/** The database in use, in a few words: `PostgreSQL postgres://app:***@db/x`, `embedded PGlite at /…`. */
export function describeDatabase(database: HostConfig['database']): string {
  if (database.url !== undefined) return `PostgreSQL ${redactUrl(database.url)}`;
  return isInMemoryDataDir(database.dataDir)
    ? 'embedded PGlite, in memory (nothing kept)'
    : `embedded PGlite at ${database.dataDir}`;
}

/** The transport in use: RabbitMQ with its URL (password hidden), or queues in the database. */
export function describeTransport(transport: HostConfig['transport']): string {
  if (transport.kind === 'rabbitmq' && transport.url !== undefined)
    return `RabbitMQ ${redactUrl(transport.url)}`;
  return 'PostgreSQL queues, in the database';
}
