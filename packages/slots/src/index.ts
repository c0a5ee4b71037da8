/**
 * Blue/green slots for message consumers. A service (an application module) runs in slots, each its
 * own processes (`createBus({ slot })`, `SWITCHYARD_SLOT` in the host) with its own queues; the
 * desired state (`FileDesiredState`, `PostgresDesiredState`) says which slot is live and what share of
 * new conversations a canary takes; `SlotReconciler` converges RabbitMQ's routing to it, stateless,
 * repairing drift; `SlotOperations` switches, rolls back and waits for a slot to drain. A conversation
 * stays in the slot that began it; a slot that stops leaves nothing stranded.
 *
 * ```ts
 * import { mkdtemp, writeFile } from 'node:fs/promises';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { consumer, createBus, defineMessage, receiveEndpoint } from '@switchyard/bus';
 * import { ManagementClient, RabbitMqTransport } from '@switchyard/rabbitmq';
 * import { FileDesiredState, SlotOperations, SlotReconciler } from '@switchyard/slots';
 * import { z } from 'zod';
 *
 * const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
 * const Charge = defineMessage('Shop.Contracts.Charge', z.object({ orderId: z.string() }));
 * const handled: string[] = [];
 * // The same service in two slots: in production two sets of processes, perhaps two versions.
 * const billingIn = (slot: string) =>
 *   createBus({
 *     transport: new RabbitMqTransport({ url }),
 *     slot,
 *     endpoints: [receiveEndpoint('shop-billing', { consumers: [consumer(Charge, (charge) => { handled.push(`${charge.orderId} in ${slot}`); })] })],
 *   });
 * const [blue, green] = [billingIn('blue'), billingIn('green')];
 * await blue.start();
 * await green.start();
 *
 * const file = join(await mkdtemp(join(tmpdir(), 'slots-')), 'slots.yaml');
 * await writeFile(file, 'services:\n  billing:\n    live: blue\n');
 * const catalogue = { services: { billing: [{ name: 'shop-billing', queueType: 'classic' as const }] } };
 * const desiredState = new FileDesiredState(file, { catalogue });
 * const reconciler = new SlotReconciler({ url, desiredState, catalogue });
 * await reconciler.reconcileOnce();
 *
 * const shop = createBus({ transport: new RabbitMqTransport({ url }) });
 * await shop.start();
 * await shop.send('shop-billing', Charge, { orderId: 'o-1' });
 * const operations = new SlotOperations({ url, management: ManagementClient.forAmqpUrl(url), desiredState, catalogue, reconciler });
 * await operations.switchTo('billing', 'green');
 * await shop.send('shop-billing', Charge, { orderId: 'o-2' });
 * while (handled.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
 * console.log(handled.join(', '));
 * await Promise.all([shop.stop(), blue.stop(), green.stop()]);
 * ```
 */

export {
  type CanaryShare,
  type CatalogueEndpoint,
  type DesiredSlots,
  type DesiredStateSource,
  defaultSlotNames,
  type ServiceCatalogue,
  type ServiceSlots,
} from './desired-state/desired-state.ts';
export { FileDesiredState, type FileDesiredStateOptions } from './desired-state/file-desired-state.ts';
export { parseDesiredState } from './desired-state/parse-desired-state.ts';
export {
  PostgresDesiredState,
  type PostgresDesiredStateOptions,
} from './desired-state/postgres-desired-state.ts';
export { defaultSlotsSchema, slotsMigrations } from './desired-state/slots-migrations.ts';
export { type EvacuationOptions, type EvacuationReport, evacuateQueue } from './drain/evacuate-queue.ts';
export { PostgresOpenConversations } from './drain/postgres-open-conversations.ts';
export {
  type EndpointSlotStatus,
  type OpenConversationCounter,
  readSlotStatus,
  type ServiceSlotStatus,
  type SlotStatus,
} from './drain/slot-status.ts';
export { type AppliedPlan, applyRoutingPlan, type RoutingTarget } from './reconciler/apply-routing-plan.ts';
export { type LiveRouting, readLiveRouting } from './reconciler/live-routing.ts';
export {
  formatRoutingPlan,
  planRouting,
  type RoutingPlan,
  type RoutingStep,
} from './reconciler/routing-plan.ts';
export {
  type ReconcilePass,
  SlotReconciler,
  type SlotReconcilerOptions,
} from './reconciler/slot-reconciler.ts';
export {
  type DrainProgress,
  type SlotChange,
  SlotOperations,
  type SlotOperationsOptions,
} from './slot-operations.ts';
export {
  BrokerUnreadableError,
  DesiredStateError,
  EvacuationStalledError,
  SwitchRefusedError,
} from './slots-errors.ts';
export { routingNames } from './topology/routing-names.ts';
export { type EndpointRouting, wantedEndpointRouting } from './topology/wanted-routing.ts';
