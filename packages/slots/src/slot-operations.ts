import type { ManagementClient } from '@switchyard/rabbitmq';
import type { DesiredStateSource, ServiceCatalogue, ServiceSlots } from './desired-state/desired-state.ts';
import { type OpenConversationCounter, readSlotStatus, type SlotStatus } from './drain/slot-status.ts';
import { ConsumerCounts } from './reconciler/consumer-counts.ts';
import type { ReconcilePass, SlotReconciler } from './reconciler/slot-reconciler.ts';
import { SwitchRefusedError } from './slots-errors.ts';
import { routingNames } from './topology/routing-names.ts';

/** What the operations work on; the reconciler applies each change at once instead of at its next loop. */
export interface SlotOperationsOptions {
  readonly url: string;
  readonly management: ManagementClient;
  readonly desiredState: DesiredStateSource;
  readonly catalogue: ServiceCatalogue;
  readonly reconciler: SlotReconciler;
  readonly conversations?: OpenConversationCounter | undefined;
}

/** A change of a service's slots: the state before and after, and the reconcile pass that applied it. */
export interface SlotChange {
  readonly service: string;
  readonly before: ServiceSlots | undefined;
  readonly after: ServiceSlots;
  readonly pass: ReconcilePass;
}

/** Progress of a wait for a slot to drain. */
export interface DrainProgress {
  readonly status: SlotStatus;
  /** Messages and open conversations left, and how many there were when the wait began. */
  readonly left: number;
  readonly atStart: number;
}

/**
 * Switch, roll back, start or end a canary: each checks first that new conversations would have
 * consumers (else it refuses and changes nothing), writes the desired state, and reconciles at once.
 */
export class SlotOperations {
  readonly #options: SlotOperationsOptions;

  constructor(options: SlotOperationsOptions) {
    this.#options = options;
  }

  /** Makes `slot` live for `service`; the slot live before is kept as `previous`, for a rollback. */
  async switchTo(service: string, slot: string): Promise<SlotChange> {
    await this.#checkTarget(service, slot, 'switch');
    return this.#change(service, (current) => {
      if (current?.live === slot) return current;
      const canary = current?.canary?.slot === slot ? undefined : current?.canary;
      return { ...current, live: slot, previous: current?.live, canary };
    });
  }

  /** Makes the slot live before the last switch live again. */
  async rollback(service: string): Promise<SlotChange> {
    const current = (await this.#options.desiredState.read()).services[service];
    if (!current) throw this.#unknownService(service);
    if (!current.previous) {
      throw new SwitchRefusedError(
        `${service} has no previous slot to roll back to (live: ${current.live}); switch with --to instead`,
      );
    }
    return this.switchTo(service, current.previous);
  }

  /** Sends `percent` of new conversations to `slot` (1–99); 0 ends the canary. */
  async canary(service: string, slot: string, percent: number): Promise<SlotChange> {
    if (percent > 0) await this.#checkTarget(service, slot, 'canary');
    return this.#change(service, (current) => {
      if (!current) throw this.#unknownService(service);
      const { canary: _ended, ...rest } = current;
      return percent === 0 ? rest : { ...rest, canary: { slot, percent } };
    });
  }

  /** The slot's status now. */
  async status(service: string, slot: string): Promise<SlotStatus> {
    const desired = await this.#options.desiredState.read();
    const [found] = await readSlotStatus({
      management: this.#options.management,
      desired,
      catalogue: this.#options.catalogue,
      conversations: this.#options.conversations,
      service,
      amqpUrl: this.#options.url,
    });
    const status = found?.slots.find((each) => each.slot === slot);
    if (!status) throw this.#unknownService(service);
    return status;
  }

  /**
   * Waits until `slot` of `service` is drained, calling `onProgress` at each look; answers its last
   * status, drained or not once `timeoutMs` passed.
   */
  async waitForDrain(
    service: string,
    slot: string,
    options: { timeoutMs: number; intervalMs?: number; onProgress?: (progress: DrainProgress) => void },
  ): Promise<SlotStatus> {
    const deadline = Date.now() + options.timeoutMs;
    let atStart: number | undefined;
    for (;;) {
      const status = await this.status(service, slot);
      const left = status.messages + (status.openConversations ?? 0); // messages counts the unacknowledged too
      atStart ??= left;
      options.onProgress?.({ status, left, atStart });
      if (status.drained || Date.now() >= deadline) return status;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1_000));
    }
  }

  async #change(
    service: string,
    change: (current: ServiceSlots | undefined) => ServiceSlots,
  ): Promise<SlotChange> {
    let before: ServiceSlots | undefined;
    const desired = await this.#options.desiredState.update(service, (current) => {
      before = current;
      return change(current);
    });
    const after = desired.services[service];
    if (!after) throw this.#unknownService(service);
    const pass = await this.#options.reconciler.reconcileOnce();
    return { service, before, after, pass };
  }

  /** Refuses a slot not in the list, and one whose queues have no consumers: nothing is changed. */
  async #checkTarget(service: string, slot: string, what: 'switch' | 'canary'): Promise<void> {
    const endpoints = this.#options.catalogue.services[service];
    if (!endpoints) throw this.#unknownService(service);
    const desired = await this.#options.desiredState.read();
    if (!desired.slots.includes(slot)) {
      throw new SwitchRefusedError(
        `"${slot}" is not a slot (slots: ${desired.slots.join(', ')}); nothing was changed`,
      );
    }
    const idle = await this.#queuesWithoutConsumers(
      endpoints.map((endpoint) => routingNames.slot(endpoint.name, slot)),
    );
    if (idle.length > 0) {
      throw new SwitchRefusedError(
        `Refusing to ${what === 'switch' ? 'switch' : 'send a canary share of'} ${service} to ${slot}: no process consumes ${idle.join(', ')}. Start ${service} in slot ${slot} (SWITCHYARD_SLOT=${slot}) first; nothing was changed.`,
      );
    }
  }

  /** The queues, of these, that do not exist or have no consumer, read exactly over AMQP. */
  async #queuesWithoutConsumers(queues: readonly string[]): Promise<string[]> {
    const counts = new ConsumerCounts(this.#options.url);
    try {
      const found = await counts.of(queues);
      return queues.filter((queue) => (found.get(queue)?.consumers ?? 0) === 0);
    } finally {
      await counts.close();
    }
  }

  #unknownService(service: string): SwitchRefusedError {
    const known = Object.keys(this.#options.catalogue.services).join(', ');
    return new SwitchRefusedError(
      `"${service}" is not a service of this application (services: ${known}); nothing was changed`,
    );
  }
}
