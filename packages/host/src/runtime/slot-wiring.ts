import { migrate, type SqlClient } from '@switchyard/postgres';
import {
  type DesiredStateSource,
  FileDesiredState,
  PostgresDesiredState,
  PostgresOpenConversations,
  type ServiceCatalogue,
  SlotReconciler,
  slotsMigrations,
} from '@switchyard/slots';
import type { Logger } from 'pino';
import type { HostConfig } from '../config/host-config.ts';
import type { ModuleDefinition, ModuleServices } from '../modules/module.ts';

/**
 * The application's services as the slots see them: each module with its receive endpoints (names as
 * the bus knows them, unslotted) and their queue types. Made from every module of the application, not
 * only the profile's: the desired state speaks of all of them.
 */
export function serviceCatalogue(
  modules: readonly ModuleDefinition[],
  servicesOf: (module: ModuleDefinition) => ModuleServices,
): ServiceCatalogue {
  const services: Record<string, { name: string; queueType: 'classic' | 'quorum' }[]> = {};
  for (const module of modules) {
    const endpoints = module.endpoints?.(servicesOf(module)) ?? [];
    if (endpoints.length === 0) continue;
    services[module.name] = endpoints.map((endpoint) => ({
      name: endpoint.name,
      queueType: endpoint.queueType ?? 'classic',
    }));
  }
  return { services };
}

/**
 * The configured desired state: a YAML file, or the tables in the database (migrated here). Undefined
 * when `slots.desiredState` is unset.
 */
export async function desiredStateOf(
  config: HostConfig,
  sql: SqlClient,
  catalogue: ServiceCatalogue,
): Promise<DesiredStateSource | undefined> {
  const where = config.slots.desiredState;
  if (where === undefined) return undefined;
  if (where !== 'postgres') return new FileDesiredState(where, { catalogue });
  await migrate(sql, await slotsMigrations());
  return new PostgresDesiredState(sql, { catalogue });
}

/** The reconciler a host runs when `slots.reconcile` is set; undefined otherwise. */
export function slotReconcilerOf(
  config: HostConfig,
  desiredState: DesiredStateSource | undefined,
  catalogue: ServiceCatalogue,
  logger: Logger,
  sql?: SqlClient,
): SlotReconciler | undefined {
  if (!config.slots.reconcile || desiredState === undefined) return undefined;
  return new SlotReconciler({
    conversations: sql ? new PostgresOpenConversations(sql, catalogue) : undefined,
    url: config.transport.url as string,
    desiredState,
    catalogue,
    logger: logger.child({ component: 'slots' }),
    intervalMs: config.slots.intervalMs,
    stoppedAfterMs: config.slots.stoppedAfterMs,
  });
}
