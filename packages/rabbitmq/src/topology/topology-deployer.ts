import { SwitchyardError, type Topology } from '@switchyard/bus';
import amqp from 'amqplib';
import { ManagementClient } from '../management-client.ts';
import { declareTopology } from './topology-declarer.ts';
import { formatPlan, type PlanStep, planTopology, type TopologyPlan } from './topology-plan.ts';

/** Applying the plan would delete queues or exchanges (and their messages); pass `force` to allow it. */
export class DestructiveChangeError extends SwitchyardError {
  readonly steps: readonly PlanStep[];

  constructor(steps: readonly PlanStep[]) {
    super(
      'DESTRUCTIVE_TOPOLOGY_CHANGE',
      `Refusing to apply ${steps.length} destructive change(s) without force:\n${formatPlan({ steps })}\nDrain the queues first, or apply with force to delete and recreate them.`,
    );
    this.steps = steps;
  }
}

/** Where the deployer finds the broker. */
export interface TopologyDeployerOptions {
  readonly url: string;
  /** Default: port 15672 on the AMQP host, same credentials. */
  readonly management?: ManagementClient;
}

/** Plans and applies a topology against the live broker: `plan` reads, `apply` changes (idempotently). */
export class TopologyDeployer {
  readonly #url: string;
  readonly #management: ManagementClient;

  constructor(options: TopologyDeployerOptions) {
    this.#url = options.url;
    this.#management = options.management ?? ManagementClient.forAmqpUrl(options.url);
  }

  /** What `apply` would change, read from the management API. */
  async plan(topology: Topology): Promise<TopologyPlan> {
    return planTopology(topology, await this.#management.topology());
  }

  /** Brings the broker to the topology; refuses destructive steps unless `force`. Returns what it did. */
  async apply(topology: Topology, options: { readonly force?: boolean } = {}): Promise<TopologyPlan> {
    const plan = await this.plan(topology);
    const destructive = plan.steps.filter((step) => 'destructive' in step);
    if (destructive.length > 0 && !options.force) throw new DestructiveChangeError(destructive);
    const connection = await amqp.connect(this.#url);
    // A dropped link fails the step in progress; without a listener its 'error' would end the process.
    connection.on('error', () => {});
    try {
      const channel = await connection.createChannel();
      for (const step of plan.steps) {
        if (step.action === 'replace-queue') await channel.deleteQueue(step.queue.name);
        if (step.action === 'replace-exchange') await channel.deleteExchange(step.exchange.name);
        if (step.action === 'remove-binding') {
          const { source, destination, destinationType } = step.binding;
          if (destinationType === 'queue') await channel.unbindQueue(destination, source, '');
          else await channel.unbindExchange(destination, source, '');
        }
      }
      await channel.close();
      await declareTopology(connection, topology);
    } finally {
      await connection.close().catch(() => {});
    }
    return plan;
  }
}
