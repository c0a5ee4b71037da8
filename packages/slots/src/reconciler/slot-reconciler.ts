import { ManagementClient } from '@switchyard/rabbitmq';
import pino, { type Logger } from 'pino';
import type { DesiredSlots, DesiredStateSource, ServiceCatalogue } from '../desired-state/desired-state.ts';
import type { OpenConversationCounter } from '../drain/slot-status.ts';
import { BrokerUnreadableError } from '../slots-errors.ts';
import { routingNames } from '../topology/routing-names.ts';
import { type EndpointRouting, wantedEndpointRouting } from '../topology/wanted-routing.ts';
import { type AppliedPlan, applyRoutingPlan } from './apply-routing-plan.ts';
import { ConsumerCounts } from './consumer-counts.ts';
import { type LiveRouting, readLiveRouting } from './live-routing.ts';
import { describeDriftStep, planRouting, type RoutingPlan, type RoutingStep } from './routing-plan.ts';
import { observeSlotMetrics } from './slot-metrics.ts';

/** Where the reconciler reads and writes, and how often it loops. */
export interface SlotReconcilerOptions {
  /** The AMQP URL of the broker (its vhost is the one reconciled). */
  readonly url: string;
  /** Default: port 15672 on the AMQP host, same credentials. */
  readonly management?: ManagementClient;
  readonly desiredState: DesiredStateSource;
  /** The application's services and their endpoints; a desired state naming another service is refused. */
  readonly catalogue: ServiceCatalogue;
  readonly logger?: Logger;
  /** Time between loops (default 2 s). */
  readonly intervalMs?: number;
  /**
   * How long a slot's queue may go without consumers before the slot counts as stopped (default 15 s):
   * its affinity messages then go to the live slot and what it left queued is moved there. Long enough
   * for a process to restart without losing its conversations to the live slot.
   */
  readonly stoppedAfterMs?: number;
  /** Priority of the reconciler's policies (default 100). */
  readonly policyPriority?: number;
  /** The clock (tests move it). */
  readonly now?: () => number;
  /** Counts the conversations open in a slot, for the drained gauge; without it, queues alone decide. */
  readonly conversations?: OpenConversationCounter | undefined;
}

/** What one pass found and did. */
export interface ReconcilePass {
  readonly desired: DesiredSlots;
  readonly plan: RoutingPlan;
  readonly applied: AppliedPlan | undefined;
  /** Steps that repaired drift: changes made by hand, or lost with a re-created exchange or queue. */
  readonly drift: readonly RoutingStep[];
}

/**
 * Converges the broker's routing to the desired state: reads both, plans, applies, and loops. It keeps
 * no state that correctness depends on (only what it saw last, to tell drift from a change of the
 * desired state, and when each slot queue lost its consumers): any number may run at once, and a
 * killed one's half-applied plan is finished by the next pass of any other.
 */
export class SlotReconciler {
  readonly #options: SlotReconcilerOptions;
  readonly #management: ManagementClient;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #consumers: ConsumerCounts;
  /** When each slot queue was first seen without consumers (absent: it has some). */
  readonly #idleSince = new Map<string, number>();
  /** The wanted routing of the last pass that converged, to tell drift from a wanted change. */
  #convergedFor: string | undefined;
  readonly #driftRepaired = new Map<string, number>();
  #drained = new Map<string, Map<string, boolean>>();
  #lastDesired: DesiredSlots | undefined;
  #looping = false;
  #timer: NodeJS.Timeout | undefined;
  /** The pass in progress or last finished, awaited by `stop`. */
  #pass: Promise<void> | undefined;
  #stopObserving: (() => void) | undefined;

  constructor(options: SlotReconcilerOptions) {
    this.#options = options;
    this.#consumers = new ConsumerCounts(options.url);
    this.#management = options.management ?? ManagementClient.forAmqpUrl(options.url);
    this.#logger = options.logger ?? pino({ enabled: false });
    this.#now = options.now ?? Date.now;
  }

  /** What a pass would change now, without changing it. */
  async plan(): Promise<{
    desired: DesiredSlots;
    plan: RoutingPlan;
    wanted: readonly EndpointRouting[];
    live: LiveRouting;
  }> {
    const desired = await this.#options.desiredState.read();
    const read = await this.#readLive();
    // A loop keeps its connection for the next pass; a single pass must leave nothing open.
    const live = await this.#withExactConsumers(desired, read).finally(() =>
      this.#looping ? undefined : this.#consumers.close(),
    );
    const wanted = this.#wanted(desired, live);
    return { desired, plan: planRouting(wanted, live, { policyPriority: this.#priority }), wanted, live };
  }

  /** One pass: plan and apply. Throws, changing nothing, on a bad desired state or a conflict. */
  async reconcileOnce(): Promise<ReconcilePass> {
    const { desired, plan, wanted, live } = await this.#freshPlan();
    this.#lastDesired = desired;
    await this.#noteDrained(desired, live);
    // What the routing should be, from the desired state and which slots run: a change of either is
    // wanted, not drift; the same wanted routing found changed on the broker is drift.
    const fingerprint = JSON.stringify(wanted);
    if (plan.conflicts.length > 0) {
      throw new BrokerUnreadableError(
        `The slots' routing cannot be applied; nothing was changed:\n${plan.conflicts.map((each) => `- ${each}`).join('\n')}`,
      );
    }
    // Evacuations follow a slot that stopped, not a hand edit; everything else found again is drift.
    const drift =
      this.#convergedFor === fingerprint ? plan.steps.filter((step) => step.action !== 'evacuate') : [];
    for (const step of drift) {
      this.#driftRepaired.set(step.service, (this.#driftRepaired.get(step.service) ?? 0) + 1);
      this.#logger.warn(
        { service: step.service, step: describeDriftStep(step) },
        'slots: routing drifted; repairing',
      );
    }
    const applied =
      plan.steps.length === 0
        ? undefined
        : await applyRoutingPlan(plan, {
            management: this.#management,
            amqpUrl: this.#options.url,
            policyPriority: this.#priority,
          });
    for (const report of applied?.evacuations ?? []) {
      if (report.moved > 0 || report.stoppedBecause)
        this.#logger.info({ ...report }, 'slots: moved messages from a stopped slot to the live slot');
    }
    this.#convergedFor = fingerprint;
    return { desired, plan, applied, drift };
  }

  /**
   * A plan whose desired state is still the current one just before it is applied. A pass that read the
   * desired state just before a switch wrote it, and the broker just after the switch applied it, would
   * otherwise point the routing back at the old slot until its next pass; reading the state again
   * narrows that window to the few milliseconds between this read and the first write.
   */
  async #freshPlan(): ReturnType<SlotReconciler['plan']> {
    let planned = await this.plan();
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = await this.#options.desiredState.read();
      if (JSON.stringify(now) === JSON.stringify(planned.desired)) return planned;
      planned = await this.plan();
    }
    return planned;
  }

  /** Loops until `stop`; a failing pass is logged and tried again next time. */
  start(): void {
    if (this.#looping) return;
    this.#looping = true;
    this.#stopObserving = observeSlotMetrics(this);
    const loop = async () => {
      try {
        await this.reconcileOnce();
      } catch (error) {
        this.#logger.error({ err: error }, 'slots: reconcile failed; trying again');
      }
      if (this.#looping) this.#timer = setTimeout(next, this.#interval);
    };
    const next = () => {
      this.#pass = loop();
    };
    next();
  }

  /** Ends the loop once the pass in progress, if any, has finished. */
  async stop(): Promise<void> {
    this.#looping = false;
    clearTimeout(this.#timer);
    await this.#pass;
    this.#stopObserving?.();
    this.#stopObserving = undefined;
    await this.#consumers.close();
  }

  /**
   * Which slots are drained, by service, as of the last pass: neither live nor the canary, nothing in
   * their queues, and (with a counter) no conversation open. For the `switchyard.slots.drained` gauge.
   */
  get drained(): ReadonlyMap<string, ReadonlyMap<string, boolean>> {
    return this.#drained;
  }

  async #noteDrained(desired: DesiredSlots, live: LiveRouting): Promise<void> {
    const drained = new Map<string, Map<string, boolean>>();
    for (const [service, state] of Object.entries(desired.services)) {
      const bySlot = new Map<string, boolean>();
      for (const slot of desired.slots) {
        if (slot === state.live || slot === state.canary?.slot) {
          bySlot.set(slot, false);
          continue;
        }
        const queued = (this.#options.catalogue.services[service] ?? []).reduce(
          (total, endpoint) =>
            total + (live.queues.get(routingNames.slot(endpoint.name, slot))?.messages ?? 0),
          0,
        );
        const open =
          queued === 0 ? ((await this.#options.conversations?.openConversations(service, slot)) ?? 0) : 1;
        bySlot.set(slot, queued === 0 && open === 0);
      }
      drained.set(service, bySlot);
    }
    this.#drained = drained;
  }

  /** The desired state the last pass read, if any. */
  get lastDesired(): DesiredSlots | undefined {
    return this.#lastDesired;
  }

  /** Drift repaired so far, by service. */
  get driftRepaired(): ReadonlyMap<string, number> {
    return this.#driftRepaired;
  }

  get #priority(): number {
    return this.#options.policyPriority ?? 100;
  }

  get #interval(): number {
    return this.#options.intervalMs ?? 2_000;
  }

  async #readLive(): Promise<LiveRouting> {
    try {
      return await readLiveRouting(this.#management);
    } catch (error) {
      throw new BrokerUnreadableError(
        `Cannot read the broker's routing: ${(error as Error).message}. The slots' reconciler needs the rabbitmq_management plugin and a user tagged policymaker (or administrator).`,
        { cause: error },
      );
    }
  }

  /**
   * The live routing with exact consumer counts for the queues whose consumers decide something: every
   * slot queue of a slotted endpoint, and the endpoint's unslotted queue (moved only while unread).
   */
  async #withExactConsumers(desired: DesiredSlots, live: LiveRouting): Promise<LiveRouting> {
    const queues: string[] = [];
    for (const service of Object.keys(desired.services)) {
      for (const endpoint of this.#options.catalogue.services[service] ?? []) {
        for (const name of [
          endpoint.name,
          ...desired.slots.map((slot) => routingNames.slot(endpoint.name, slot)),
        ])
          if (live.queues.has(name)) queues.push(name);
      }
    }
    const exact = await this.#consumers.of(queues);
    const corrected = new Map(live.queues);
    for (const [queue, { consumers, ready }] of exact) {
      const figures = corrected.get(queue);
      // Ready is exact; unacknowledged only the management API knows (none, once no one consumes).
      if (figures)
        corrected.set(queue, {
          ...figures,
          consumers,
          messages: ready + (consumers > 0 ? figures.unacknowledged : 0),
        });
    }
    return { ...live, queues: corrected };
  }

  #wanted(desired: DesiredSlots, live: LiveRouting): EndpointRouting[] {
    const now = this.#now();
    const stoppedAfterMs = this.#options.stoppedAfterMs ?? 15_000;
    const running = (queue: string) => {
      const consumers = live.queues.get(queue)?.consumers ?? 0;
      if (consumers > 0) {
        this.#idleSince.delete(queue);
        return true;
      }
      const since = this.#idleSince.get(queue) ?? now;
      this.#idleSince.set(queue, since);
      return now - since < stoppedAfterMs && live.queues.has(queue);
    };
    const wanted: EndpointRouting[] = [];
    for (const [service, slots] of Object.entries(desired.services)) {
      for (const endpoint of this.#options.catalogue.services[service] ?? []) {
        wanted.push(wantedEndpointRouting(service, endpoint, slots, desired.slots, { running }));
      }
    }
    return wanted;
  }
}
