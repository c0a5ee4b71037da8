import { ManagementApiError, type ManagementClient } from '@switchyard/rabbitmq';
import { type EvacuationReport, evacuateQueue } from '../drain/evacuate-queue.ts';
import { exactPattern, routingNames } from '../topology/routing-names.ts';
import type { RoutingBinding } from '../topology/wanted-routing.ts';
import type { RoutingPlan, RoutingStep } from './routing-plan.ts';

/** Where the steps go: the management API for routing, AMQP for moving messages. */
export interface RoutingTarget {
  readonly management: ManagementClient;
  readonly amqpUrl: string;
  readonly policyPriority: number;
}

/** What applying a plan did: its steps and the evacuations' reports. */
export interface AppliedPlan {
  readonly steps: readonly RoutingStep[];
  readonly evacuations: readonly EvacuationReport[];
}

/**
 * Applies the steps in order, each once. Every step is idempotent (creating what exists, deleting
 * what is gone, setting a policy to what it is), so two reconcilers applying the same plan at once,
 * or one finishing what a killed one began, end in the same state.
 */
export async function applyRoutingPlan(plan: RoutingPlan, target: RoutingTarget): Promise<AppliedPlan> {
  const evacuations: EvacuationReport[] = [];
  for (const step of plan.steps) {
    if (step.action === 'evacuate')
      evacuations.push(await evacuateQueue(target.amqpUrl, step.queue, step.to));
    else await applyStep(step, target);
  }
  return { steps: plan.steps, evacuations };
}

async function applyStep(
  step: Exclude<RoutingStep, { action: 'evacuate' }>,
  target: RoutingTarget,
): Promise<void> {
  const { management } = target;
  const vhost = management.vhostPath;
  const name = encodeURIComponent;
  switch (step.action) {
    case 'create-exchange':
      await management.request('PUT', `/api/exchanges/${vhost}/${name(step.exchange.name)}`, {
        type: step.exchange.type,
        durable: true,
        auto_delete: false,
        internal: false,
        arguments: {},
      });
      return;
    case 'create-queue':
      await management.request('PUT', `/api/queues/${vhost}/${name(step.queue.name)}`, {
        durable: true,
        auto_delete: false,
        arguments: step.queue.queueType === 'quorum' ? { 'x-queue-type': 'quorum' } : {},
      });
      return;
    case 'bind':
      await management.request('POST', bindingsPath(vhost, step.binding), {
        routing_key: '',
        arguments: step.binding.arguments,
      });
      return;
    case 'set-policy':
      await management.request('PUT', `/api/policies/${vhost}/${name(routingNames.policy(step.exchange))}`, {
        pattern: exactPattern(step.exchange),
        definition: { 'alternate-exchange': step.alternateExchange },
        priority: target.policyPriority,
        'apply-to': 'exchanges',
      });
      return;
    case 'unbind':
      try {
        await management.request(
          'DELETE',
          `${bindingsPath(vhost, step.binding)}/${name(step.binding.propertiesKey)}`,
        );
      } catch (error) {
        // Another reconciler removed it first: what this step wanted is the case.
        if (!(error instanceof ManagementApiError && error.status === 404)) throw error;
      }
      return;
  }
}

function bindingsPath(vhost: string, binding: RoutingBinding): string {
  const kind = binding.destinationType === 'queue' ? 'q' : 'e';
  return `/api/bindings/${vhost}/e/${encodeURIComponent(binding.source)}/${kind}/${encodeURIComponent(binding.destination)}`;
}
