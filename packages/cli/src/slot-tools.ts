import { desiredStateOf, serviceCatalogue, wireModules } from '@switchyard/host';
import { type SqlClient, SqlError } from '@switchyard/postgres';
import { ManagementClient } from '@switchyard/rabbitmq';
import {
  type DesiredStateSource,
  type OpenConversationCounter,
  PostgresOpenConversations,
  type ServiceCatalogue,
  SlotOperations,
  SlotReconciler,
} from '@switchyard/slots';
import type { CommandContext } from './command-context.ts';
import { CliError, exitCodes } from './exit-codes.ts';
import { explainFailure } from './failure-messages.ts';
import { unopenedDatabase } from './unopened-database.ts';

/** What every `yard slots` command works with: the app's services, the desired state and the broker. */
export interface SlotTools {
  readonly url: string;
  readonly catalogue: ServiceCatalogue;
  readonly desiredState: DesiredStateSource;
  readonly management: ManagementClient;
  readonly reconciler: SlotReconciler;
  readonly operations: SlotOperations;
  /** Counts open conversations on the configured PostgreSQL; undefined on an embedded database, which a running app holds. */
  readonly conversations: OpenConversationCounter | undefined;
}

/**
 * Builds the slots' tools for `work`, as a host that reconciles would, from every module of the app
 * (the desired state speaks of all of them, not only the profile's). A desired state in a file opens
 * no database, so `plan` and `status` create none; one in PostgreSQL opens the configured database.
 */
export async function withSlotTools<T>(
  context: CommandContext,
  command: string,
  work: (tools: SlotTools) => Promise<T>,
): Promise<T> {
  const { config } = context;
  if (config.transport.kind !== 'rabbitmq' || config.transport.url === undefined) {
    throw new CliError(
      `${command} needs RabbitMQ, where the slots route: set RABBITMQ_URL (transport.url)`,
      exitCodes.usage,
    );
  }
  const where = config.slots.desiredState;
  if (where === undefined) {
    throw new CliError(
      `${command} needs the desired state of the slots: set SWITCHYARD_SLOTS__DESIRED_STATE (slots.desiredState) to a YAML file or "postgres"`,
      exitCodes.usage,
    );
  }
  const url = config.transport.url;
  // Open conversations are counted in the database's saga and scheduler tables: on a PostgreSQL server,
  // which any number of processes share. An embedded database belongs to the running app.
  const counting = config.database.url !== undefined;
  const withSql = <R>(inner: (sql: SqlClient) => Promise<R>): Promise<R> =>
    where === 'postgres' || counting ? context.withDatabase(inner) : inner(unopenedDatabase(command));
  return withSql(async (sql) => {
    const modules = context.app.modules();
    // Wiring builds the modules' services, which their endpoints need; nothing is started or connected.
    const wiring = wireModules(config, sql, modules, context.logger, Date.now);
    const catalogue = serviceCatalogue(modules, wiring.servicesOf);
    const desiredState = await desiredStateOf(config, sql, catalogue);
    if (desiredState === undefined) throw new Error('slots.desiredState was checked above');
    const management = ManagementClient.forAmqpUrl(url);
    // Not slotReconcilerOf: that answers a reconciler only where slots.reconcile is set, for a host's
    // loop. A command reconciles when asked, with the same settings.
    const reconciler = new SlotReconciler({
      url,
      management,
      desiredState,
      catalogue,
      logger: context.logger.child({ component: 'slots' }),
      intervalMs: config.slots.intervalMs,
      stoppedAfterMs: config.slots.stoppedAfterMs,
    });
    const conversations = counting ? new PostgresOpenConversations(sql, catalogue) : undefined;
    const operations = new SlotOperations({
      url,
      management,
      desiredState,
      catalogue,
      reconciler,
      conversations,
    });
    try {
      return await work({ url, catalogue, desiredState, management, reconciler, operations, conversations });
    } catch (error) {
      // A database failure is explained by withDatabase, which knows that server; the rest talked to RabbitMQ.
      if (error instanceof SqlError) throw error;
      throw explainFailure(error, { kind: 'RabbitMQ', url }) ?? error;
    }
  });
}
