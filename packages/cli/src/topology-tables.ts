import type { Topology } from '@switchyard/bus';
import type { PlanStep, TopologyPlan } from '@switchyard/rabbitmq';
import type { TableView } from './output.ts';

/** The exchanges, queues and bindings the endpoints need, as `yard` tables. */
export function topologyTables(topology: Topology): TableView[] {
  const yesNo = (value: boolean) => (value ? 'yes' : 'no');
  return [
    {
      title: 'Exchanges',
      head: ['name', 'role', 'type', 'durable', 'auto-delete'],
      rows: topology.exchanges.map((each) => [
        each.name,
        each.role,
        'fanout',
        yesNo(each.durable),
        yesNo(each.autoDelete),
      ]),
    },
    {
      title: 'Queues',
      head: ['name', 'role', 'queue type', 'durable', 'auto-delete'],
      rows: topology.queues.map((each) => [
        each.name,
        each.role,
        each.queueType,
        yesNo(each.durable),
        yesNo(each.autoDelete),
      ]),
    },
    {
      title: 'Bindings',
      head: ['source exchange', 'destination', 'destination type'],
      rows: topology.bindings.map((each) => [each.source, each.destination, each.destinationType]),
    },
  ];
}

/** What a plan changes on the broker, one row per step; `!` marks a destructive one. */
export function planTable(plan: TopologyPlan): TableView {
  return { title: 'Plan', head: ['change', 'kind', 'name', 'details'], rows: plan.steps.map(planRow) };
}

function planRow(step: PlanStep): string[] {
  switch (step.action) {
    case 'create-exchange':
      return [
        '+ create',
        'exchange',
        step.exchange.name,
        `fanout${step.exchange.durable ? ', durable' : ''}`,
      ];
    case 'create-queue':
      return [
        '+ create',
        'queue',
        step.queue.name,
        `${step.queue.queueType}${step.queue.durable ? ', durable' : ''}`,
      ];
    case 'create-binding':
      return [
        '+ create',
        'binding',
        `${step.binding.source} → ${step.binding.destination}`,
        step.binding.destinationType,
      ];
    case 'remove-binding':
      return [
        '- remove',
        'binding',
        `${step.binding.source} → ${step.binding.destination}`,
        step.binding.destinationType,
      ];
    case 'replace-queue':
      return [
        '! replace',
        'queue',
        step.queue.name,
        `${step.reason}; deletes the queue and its ${step.messages} messages`,
      ];
    case 'replace-exchange':
      return [
        '! replace',
        'exchange',
        step.exchange.name,
        `${step.reason}; deletes the exchange and its bindings`,
      ];
  }
}
