import { createBus, lastingTopology, type Topology } from '@switchyard/bus';
import { migrateModules, wireModules } from '@switchyard/host';
import { PostgresTransport, type SqlClient } from '@switchyard/postgres';
import { DestructiveChangeError, TopologyDeployer } from '@switchyard/rabbitmq';
import type { CommandContext } from '../command-context.ts';
import { CliError, exitCodes } from '../exit-codes.ts';
import { explainFailure } from '../failure-messages.ts';
import { planTable, topologyTables } from '../topology-tables.ts';
import { unopenedDatabase } from '../unopened-database.ts';

/** `yard topology plan|apply`: what the app's endpoints need on the broker, against what is there. */
export async function topologyCommand(
  context: CommandContext,
  action: 'plan' | 'apply',
  options: { force?: boolean },
): Promise<number> {
  // A plan only reads what the endpoints declare (and the broker); it opens no database, so it creates
  // none and works while an embedded app holds its folder. Apply writes the PostgreSQL transport's tables.
  const withSql = <T>(work: (sql: SqlClient) => Promise<T>): Promise<T> =>
    action === 'plan'
      ? work(unopenedDatabase('yard topology plan'))
      : context.withDatabase(work, { create: true });
  return withSql(async (sql) => {
    // The bus computes the topology from the endpoints; nothing is started or connected for that.
    const wiring = wireModules(context.config, sql, context.modules(), context.logger, Date.now);
    // Without the response queue the bus makes for itself: its name changes every run, and a plan
    // that always shows it would never read as settled.
    const topology: Topology = lastingTopology(
      createBus({ transport: wiring.transport, endpoints: wiring.endpoints }).topology(),
    );
    if (context.config.transport.kind === 'rabbitmq') {
      const deployer = new TopologyDeployer({ url: context.config.transport.url as string });
      try {
        const plan =
          action === 'plan' ? await deployer.plan(topology) : await deployer.apply(topology, options);
        if (plan.steps.length === 0 && !context.output.json)
          context.output.note('No changes: the broker matches the topology.');
        else context.output.result(plan, planTable(plan));
        if (action === 'apply' && !context.output.json) context.output.note('Applied.');
        return exitCodes.ok;
      } catch (error) {
        if (error instanceof DestructiveChangeError) throw new CliError(error.message, exitCodes.failed);
        throw (
          explainFailure(error, { kind: 'RabbitMQ', url: context.config.transport.url as string }) ?? error
        );
      }
    }
    // The PostgreSQL transport keeps its topology in tables; applying writes them, as starting does.
    if (action === 'apply') {
      await migrateModules(sql, []);
      const transport = new PostgresTransport(sql);
      await transport.deploy(topology);
      await transport.close();
    }
    context.output.result(topology, topologyTables(topology));
    if (action === 'apply' && !context.output.json) context.output.note('Applied.');
    return exitCodes.ok;
  });
}
