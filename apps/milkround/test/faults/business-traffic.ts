import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Profile } from './milkround-system.ts';

/** Where the traffic sends each profile's requests. */
export interface TrafficTarget {
  url(profile: Profile): string;
}

/** How the drivers' phones send a delivery's events. */
export type DriverEventOrder =
  /** loaded (1), then delivered (2), once each. */
  | 'in-order'
  /** delivered (2) before loaded (1), and then both again: the saga must wait for 1 and drop the repeats. */
  | 'reversed-and-repeated';

/** What the system accepted (a 2xx answer, or 409 "already a member" to a repeated join): each owes one effect. */
export interface AcceptedRequests {
  readonly joins: Set<string>;
  readonly standingOrders: Set<string>;
  /** deliveryId → customerId, for deliveries whose "delivered" event was accepted. */
  readonly delivered: Map<string, string>;
  /** complaintId → deliveryId. */
  readonly complaints: Map<string, string>;
}

export interface TrafficOptions {
  /** Prefix of this scenario's customer ids: each scenario has customers of its own. */
  readonly cohort: string;
  /** The date this scenario's customers are delivered on (after every cut-off in the run). */
  readonly deliveryDate: string;
  /** The standing orders' weekdays: the delivery date's own, so that no other scenario's date plans them. */
  readonly weekdays: readonly string[];
  readonly customers: number;
  /** A new customer starts their journey this often. */
  readonly intervalMs: number;
  readonly driverEvents?: DriverEventOrder;
  /** Every n-th customer complains about their delivery (default 3). */
  readonly complaintEvery?: number;
  /** How long one request may keep failing before the scenario gives up on recovery (default 120 s). */
  readonly stepDeadlineMs?: number;
  /** What customer `index` joins on and orders (default: plus or basic in turn, 1–3 pints of milk). */
  readonly journey?: (index: number) => Journey;
  /**
   * Complain only once billing shows the delivery charged, as a customer a day later would (default
   * false: at once, which billing may refuse as not charged yet).
   */
  readonly complainAfterCharge?: boolean;
}

/** One customer's plan and standing order; a complaint (when one is filed) is about the first line's SKU. */
export interface Journey {
  readonly plan: string;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
}

/** The id traffic gives customer `index` of a cohort. */
export function customerIdOf(cohort: string, index: number): string {
  return `${cohort}-c${String(index).padStart(3, '0')}`;
}

/** The journeys the fault suite has always sent. */
export function milkJourney(index: number): Journey {
  return {
    plan: index % 2 === 0 ? 'plus' : 'basic',
    lines: [{ sku: 'milk-1pt', quantity: 1 + (index % 3) }],
  };
}

const postcodes = ['M1 1AE', 'M2 3BB', 'LS1 4DY', 'SW1A 1AA'];
const retryPauseMs = 250;
const planPollMs = 1_000;

/**
 * A steady stream of customers, each going through the business: join, place a standing order, get
 * planned into the delivery date, be loaded and delivered by a driver, and (some) complain. Every
 * request is sent again while the system fails (no answer, 5xx, or 404 while a message it depends on
 * is still travelling), as a real client would, until it is accepted; the accepted ones are recorded.
 * Like a careful client, it chooses the ids of the orders and complaints it creates, so that a request
 * that took effect but lost its answer is not done twice when it is sent again.
 */
export class BusinessTraffic {
  readonly accepted: AcceptedRequests = {
    joins: new Set(),
    standingOrders: new Set(),
    delivered: new Map(),
    complaints: new Map(),
  };
  /** Requests sent again because they got no answer or a 5xx (a 404 while a message travels is not counted). */
  failedAttempts = 0;
  readonly #system: TrafficTarget;
  readonly #options: Required<TrafficOptions>;
  readonly #planned = new Map<string, string>();
  readonly #journeys: Promise<void>[] = [];
  #planning: Promise<void> | undefined;
  #launching: Promise<void> | undefined;
  #stopped = false;

  constructor(system: TrafficTarget, options: TrafficOptions) {
    this.#system = system;
    this.#options = {
      driverEvents: 'in-order',
      complaintEvery: 3,
      stepDeadlineMs: 120_000,
      journey: milkJourney,
      complainAfterCharge: false,
      ...options,
    };
  }

  get deliveryDate(): string {
    return this.#options.deliveryDate;
  }

  start(): void {
    this.#launching = this.#launch();
    this.#planning = this.#planLoop();
  }

  /**
   * Ends the traffic early, for a scenario that has already failed: journeys give up at their next
   * retry and the planning loop ends, so nothing keeps sending once the test has moved on.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#launching;
    await Promise.allSettled(this.#journeys);
    await this.#planning;
  }

  /** Resolves when every journey has had each of its requests accepted; throws the first that never was. */
  async finished(): Promise<void> {
    await this.#launching;
    const results = await Promise.allSettled(this.#journeys);
    this.#stopped = true;
    await this.#planning;
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  #customerId(index: number): string {
    return customerIdOf(this.#options.cohort, index);
  }

  async #launch(): Promise<void> {
    for (let index = 0; index < this.#options.customers && !this.#stopped; index += 1) {
      this.#journeys.push(this.#journey(index));
      await sleep(this.#options.intervalMs);
    }
  }

  async #journey(index: number): Promise<void> {
    const customerId = this.#customerId(index);
    const { deliveryDate } = this.#options;
    const journey = this.#options.journey(index);
    await this.#until('storefront', 'POST', '/memberships', {
      body: {
        customerId,
        name: `Customer ${index}`,
        region: 'UK',
        postcode: postcodes[index % postcodes.length],
        plan: journey.plan,
      },
      accepted: [201, 409],
    });
    this.accepted.joins.add(customerId);
    // Orders learns of the member by message: until then it answers 404.
    await this.#until('storefront', 'POST', '/orders/standing', {
      body: {
        orderId: randomUUID(),
        customerId,
        lines: journey.lines,
        weekdays: this.#options.weekdays,
      },
      accepted: [201],
      retried: [404],
    });
    this.accepted.standingOrders.add(customerId);
    const deliveryId = await this.#plannedDelivery(customerId);
    const events = this.#options.driverEvents === 'in-order' ? [1, 2] : [2, 1, 2, 1];
    for (const sequence of events) {
      await this.#until('operations', 'POST', `/deliveries/${deliveryId}/events`, {
        body: { type: sequence === 1 ? 'loaded' : 'delivered', sequence, at: `${deliveryDate}T06:30:00Z` },
        accepted: [202],
      });
      if (sequence === 2) this.accepted.delivered.set(deliveryId, customerId);
    }
    if (index % this.#options.complaintEvery === 0) {
      if (this.#options.complainAfterCharge) await this.#charged(customerId);
      const filed = await this.#until('storefront', 'POST', '/returns/complaints', {
        body: {
          complaintId: randomUUID(),
          customerId,
          deliveryId,
          sku: journey.lines[0]?.sku ?? 'milk-1pt',
          quantity: 1,
          reason: 'The milk was sour',
        },
        accepted: [202],
      });
      this.accepted.complaints.set((filed as { complaintId: string }).complaintId, deliveryId);
    }
  }

  /** Waits until billing shows a charge for the customer. */
  async #charged(customerId: string): Promise<void> {
    const deadline = Date.now() + this.#options.stepDeadlineMs;
    for (;;) {
      const balance = await this.#send('operations', 'GET', `/billing/customers/${customerId}/balance`).catch(
        () => undefined,
      );
      if (balance?.status === 200 && (balance.body as { chargedMinor: number }).chargedMinor > 0) return;
      if (Date.now() > deadline) throw new Error(`${customerId} was never charged`);
      if (this.#stopped) throw new Error('The traffic was stopped');
      await sleep(retryPauseMs);
    }
  }

  async #plannedDelivery(customerId: string): Promise<string> {
    const deadline = Date.now() + this.#options.stepDeadlineMs;
    for (;;) {
      const deliveryId = this.#planned.get(customerId);
      if (deliveryId) return deliveryId;
      if (Date.now() > deadline) throw new Error(`${customerId} was never planned into a delivery`);
      if (this.#stopped) throw new Error('The traffic was stopped');
      await sleep(retryPauseMs);
    }
  }

  /** Starts the date's run again and again (runs plan each customer once per date) and reads the plan. */
  async #planLoop(): Promise<void> {
    const { deliveryDate } = this.#options;
    while (!this.#stopped) {
      try {
        await this.#send('operations', 'POST', '/deliveries/runs', { deliveryDate });
        const plan = await this.#send('operations', 'GET', `/deliveries/runs/${deliveryDate}`);
        if (plan.status === 200) {
          const { rounds } = plan.body as {
            rounds: { deliveries: { deliveryId: string; customerId: string }[] }[];
          };
          for (const delivery of rounds.flatMap((round) => round.deliveries)) {
            this.#planned.set(delivery.customerId, delivery.deliveryId);
          }
        }
      } catch {
        // The operations process is down or unreachable: the next round tries again.
      }
      await sleep(planPollMs);
    }
  }

  /** Sends the request until it is accepted; what was accepted is answered. */
  async #until(
    profile: Profile,
    method: string,
    path: string,
    options: { body: unknown; accepted: readonly number[]; retried?: readonly number[] },
  ): Promise<unknown> {
    const deadline = Date.now() + this.#options.stepDeadlineMs;
    let last = '';
    for (;;) {
      try {
        const answer = await this.#send(profile, method, path, options.body);
        if (options.accepted.includes(answer.status)) return answer.body;
        last = `${answer.status} ${JSON.stringify(answer.body)}`;
        const transient = answer.status >= 500 || (options.retried ?? []).includes(answer.status);
        if (!transient) throw new Error(`${method} ${path} was refused: ${last}`);
        if (answer.status >= 500) this.failedAttempts += 1;
      } catch (error) {
        if (error instanceof Error && error.message.includes('was refused')) throw error;
        this.failedAttempts += 1;
        last = String(error instanceof Error ? (error.cause ?? error.message) : error);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${method} ${path} was not accepted within ${this.#options.stepDeadlineMs} ms: ${last}`,
        );
      }
      if (this.#stopped) throw new Error(`The traffic was stopped while ${method} ${path} failed: ${last}`);
      await sleep(retryPauseMs);
    }
  }

  async #send(
    profile: Profile,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.#system.url(profile)}${path}`, {
      method,
      signal: AbortSignal.timeout(15_000),
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
}
