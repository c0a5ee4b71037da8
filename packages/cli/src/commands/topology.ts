import { createBus, formatTopology, lastingTopology, type Topology } from '@switchyard/bus';
import { migrateModules, wireModules } from '@switchyard/host';
import { PostgresTransport } from '@switchyard/postgres';
import { DestructiveChangeError, formatPlan, TopologyDeployer } from '@switchyard/rabbitmq';
import type { CommandContext } from '../command-context.ts';
import { CliError, exitCodes } from '../exit-codes.ts';

/** `yard topology plan|apply`: what the app's endpoints need on the broker, against what is there. */
export async function topologyCommand(
  context: CommandContext,
  action: 'plan' | 'apply',
  options: { force?: boolean },
): Promise<number> {
  return context.withDatabase(async (sql) => {
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
        if (context.output.json) context.output.result(plan);
        else context.output.note(formatPlan(plan));
        return exitCodes.ok;
      } catch (error) {
        if (error instanceof DestructiveChangeError) throw new CliError(error.message, exitCodes.failed);
        throw error;
      }
    }
    // The PostgreSQL transport keeps its topology in tables; applying writes them, as starting does.
    if (action === 'apply') {
      await migrateModules(sql, []);
      const transport = new PostgresTransport(sql);
      await transport.deploy(topology);
      await transport.close();
    }
    if (context.output.json) context.output.result(topology);
    else context.output.note(`${formatTopology(topology)}${action === 'apply' ? '\nApplied.' : ''}`);
    return exitCodes.ok;
  });
}
