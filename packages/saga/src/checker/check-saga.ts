import { isDeepStrictEqual } from 'node:util';
import { SwitchyardError } from '@switchyard/bus';
import fc from 'fast-check';
import type { AnySagaDefinition } from '../definition/define-saga.ts';
import {
  type Delivery,
  messageIdsFor,
  runSchedule,
  type SagaInvariant,
  type SagaWorld,
  type ScenarioMessage,
} from './run-schedule.ts';

/** What `checkSaga` explores. */
export interface SagaCheckOptions {
  readonly definition: AnySagaDefinition;
  /** The scenario's messages in a reference order; every explored schedule delivers each at least once. */
  readonly messages: readonly ScenarioMessage[];
  readonly invariants?: readonly SagaInvariant[];
  /** Require every schedule to end in the same world as the reference order (default true). */
  readonly converges?: boolean;
  /** Also deliver messages again, as at-least-once transports do (default true). */
  readonly redeliveries?: boolean;
  /** Also crash between applying a message and committing, then deliver it again (default true). */
  readonly crashes?: boolean;
  /** Schedules to explore (default 200). */
  readonly runs?: number;
  /** Repeats a reported failure. */
  readonly seed?: number;
}

/** What a passing check explored. */
export interface SagaCheckReport {
  readonly runs: number;
  readonly seed: number;
  readonly orderingsPerSecond: number;
  /** The world every schedule ended in. */
  readonly finalWorld: SagaWorld;
}

/** The smallest schedule fast-check found that breaks an invariant or ends elsewhere than the reference. */
export class SagaCheckFailure extends SwitchyardError {
  readonly schedule: readonly string[];
  readonly seed: number;

  constructor(message: string, schedule: readonly string[], seed: number) {
    super(
      'SAGA_CHECK_FAILED',
      `${message}\nSmallest failing schedule (seed ${seed}):\n  ${schedule.join('\n  ')}`,
    );
    this.schedule = schedule;
    this.seed = seed;
  }
}

/** A schedule as fast-check draws it, before it is laid out as deliveries. */
interface DrawnSchedule {
  readonly order: readonly number[];
  readonly redeliveries: readonly { readonly message: number; readonly at: number }[];
  readonly crashes: readonly { readonly at: number; readonly later: number }[];
}

/**
 * Explores orderings, redeliveries and crashes of a scenario (property-based, shrinking to the
 * smallest failing schedule) and checks that the invariants hold after every delivery and that
 * every schedule converges to the world of the reference order. Throws SagaCheckFailure.
 */
export async function checkSaga(options: SagaCheckOptions): Promise<SagaCheckReport> {
  const { definition, messages } = options;
  const invariants = options.invariants ?? [];
  const messageIds = messageIdsFor(messages);
  const count = messages.length;
  if (count === 0) throw new RangeError('checkSaga needs at least one message');
  const reference = await runSchedule(
    definition,
    messages,
    messages.map((_, index) => ({ message: index, crash: false })),
    invariants,
    messageIds,
  );
  const seed = options.seed ?? Date.now() ^ (Math.random() * 0x7fffffff);
  const referenceOrder = messages.map((_, index) => index);
  if (!reference.ok) {
    throw new SagaCheckFailure(
      `The reference order already fails: ${reference.violation}`,
      describe(messages, layout({ order: referenceOrder, redeliveries: [], crashes: [] })),
      seed,
    );
  }
  const indexArbitrary = fc.nat(count - 1);
  const drawn: fc.Arbitrary<DrawnSchedule> = fc.record({
    order: fc.shuffledSubarray(referenceOrder, { minLength: count, maxLength: count }),
    redeliveries:
      options.redeliveries === false
        ? fc.constant([])
        : fc.array(fc.record({ message: indexArbitrary, at: fc.nat(count * 2) }), { maxLength: count }),
    crashes:
      options.crashes === false
        ? fc.constant([])
        : fc.array(fc.record({ at: fc.nat(count * 2), later: fc.nat(count) }), { maxLength: count }),
  });
  const runs = options.runs ?? 200;
  let failure: string | undefined;
  const started = performance.now();
  const result = await fc.check(
    fc.asyncProperty(drawn, async (schedule) => {
      const outcome = await runSchedule(definition, messages, layout(schedule), invariants, messageIds);
      if (!outcome.ok) {
        failure = `${outcome.violation} (after delivery ${outcome.afterDelivery + 1})`;
        return false;
      }
      if (
        options.converges !== false &&
        !isDeepStrictEqual(comparable(outcome.world), comparable(reference.world))
      ) {
        failure = `the schedule ended in another world than the reference order:\n${difference(reference.world, outcome.world)}`;
        return false;
      }
      return true;
    }),
    { numRuns: runs, seed },
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  if (result.failed) {
    const smallest = result.counterexample?.[0];
    // fast-check re-runs the property while shrinking; run the smallest once more for its message.
    if (smallest)
      await runSchedule(definition, messages, layout(smallest), invariants, messageIds).then((outcome) => {
        if (!outcome.ok) failure = `${outcome.violation} (after delivery ${outcome.afterDelivery + 1})`;
      });
    const error = result.errorInstance instanceof Error ? ` (${result.errorInstance.message})` : '';
    throw new SagaCheckFailure(
      `Saga "${definition.name}": ${failure ?? `the property threw${error}`}`,
      smallest ? describe(messages, layout(smallest)) : [],
      result.seed,
    );
  }
  return {
    runs: result.numRuns,
    seed,
    orderingsPerSecond: result.numRuns / elapsedSeconds,
    finalWorld: reference.world,
  };
}

/** Lays a drawn schedule out as deliveries: the order, redeliveries slotted in, crashed ones delivered again later. */
function layout(schedule: DrawnSchedule): Delivery[] {
  const deliveries: Delivery[] = schedule.order.map((message) => ({ message, crash: false }));
  for (const { message, at } of schedule.redeliveries) {
    deliveries.splice(Math.min(at, deliveries.length), 0, { message, crash: false });
  }
  for (const { at, later } of schedule.crashes) {
    const position = at % deliveries.length;
    const victim = deliveries[position] as Delivery;
    if (victim.crash) continue;
    deliveries[position] = { message: victim.message, crash: true };
    deliveries.splice(Math.min(position + 1 + later, deliveries.length), 0, {
      message: victim.message,
      crash: false,
    });
  }
  return deliveries;
}

function describe(messages: readonly ScenarioMessage[], deliveries: readonly Delivery[]): string[] {
  return deliveries.map((delivery, step) => {
    const scenario = messages[delivery.message] as ScenarioMessage;
    const crash = delivery.crash ? ' — crashes before commit' : '';
    return `${step + 1}. #${delivery.message} ${scenario.type.name} ${JSON.stringify(scenario.message)}${crash}`;
  });
}

/** The parts of a world that must match: instances in a stable order, and produced message counts by type. */
function comparable(world: SagaWorld) {
  const instances = world.instances.map((instance) => JSON.stringify(instance)).sort();
  const produced: Record<string, number> = {};
  for (const each of world.produced) produced[each.type] = (produced[each.type] ?? 0) + 1;
  return { instances, produced, faulted: world.faulted.length, held: world.held };
}

function difference(expected: SagaWorld, actual: SagaWorld): string {
  const left = comparable(expected);
  const right = comparable(actual);
  return [`  reference: ${JSON.stringify(left)}`, `  explored:  ${JSON.stringify(right)}`].join('\n');
}
