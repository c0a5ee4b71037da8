import {
  MemoryDatabase,
  MemoryInbox,
  MemorySagaStore,
  type MemoryTransaction,
  type MessageType,
  messageFingerprint,
  uuidv7,
} from '@switchyard/bus';
import type { AnySagaDefinition } from '../definition/define-saga.ts';
import { SagaEngine } from '../runtime/saga-engine.ts';

/** One message of a checked scenario: a type the saga declares as an event, and its body. */
export interface ScenarioMessage<T = unknown> {
  readonly type: MessageType<T>;
  readonly message: T;
  /** For events correlated by correlation id. */
  readonly correlationId?: string;
}

/** One delivery in an explored schedule. */
export interface Delivery {
  /** Index into the scenario's messages. */
  readonly message: number;
  /** The process dies after applying it and before the commit; the message comes back later. */
  readonly crash: boolean;
}

/** What the saga world looks like after a delivery: what invariants are checked against. */
export interface SagaWorld {
  /** Live instances, without ids (which depend on the order messages arrived in). */
  readonly instances: readonly {
    readonly state: string;
    readonly data: unknown;
    readonly keys: Record<string, string>;
  }[];
  /** Messages the saga published, sent or requested, in commit order. */
  readonly produced: readonly { readonly type: string; readonly message: unknown }[];
  /** Messages that ended in the error queue: refused by the saga or sent there after being held. */
  readonly faulted: readonly { readonly message: number; readonly reason: string }[];
  /** Messages still held (parked, deferred or waiting for a sequence gap). */
  readonly held: number;
  /** True after the last delivery of the schedule. */
  readonly finished: boolean;
}

/** A rule about the world that must hold after every delivery (or, with `atEnd`, after the last). */
export interface SagaInvariant {
  readonly name: string;
  readonly atEnd?: boolean;
  /** True when the rule holds; false or a string (saying what is wrong) when it does not. */
  readonly holds: (world: SagaWorld) => boolean | string;
}

/** How a schedule ended: the final world, or the first broken invariant. */
export type ScheduleResult =
  | { readonly ok: true; readonly world: SagaWorld }
  | { readonly ok: false; readonly violation: string; readonly afterDelivery: number };

/**
 * Runs one schedule against a fresh in-memory store with an inbox, as the bus would: a delivery
 * whose message id is in the inbox is acknowledged untouched; a crash rolls the transaction back;
 * a refused message goes to the error queue.
 */
export async function runSchedule(
  definition: AnySagaDefinition,
  messages: readonly ScenarioMessage[],
  schedule: readonly Delivery[],
  invariants: readonly SagaInvariant[],
  messageIds: readonly string[],
): Promise<ScheduleResult> {
  const database = new MemoryDatabase();
  const store = new MemorySagaStore(database);
  const inbox = new MemoryInbox(database);
  let idCounter = 0;
  const options = { now: () => 0, newId: () => `saga-${++idCounter}` };
  const produced: { type: string; message: unknown }[] = [];
  const faulted: { message: number; reason: string }[] = [];
  /** Every instance id the saga touched; removed ones simply no longer load. */
  const touched = new Set<string>();
  const crashed = new Error('simulated crash before commit');

  for (const [step, delivery] of schedule.entries()) {
    const scenario = messages[delivery.message] as ScenarioMessage;
    // A new engine per delivery: nothing may survive in memory from one message to the next.
    const engine = new SagaEngine<MemoryTransaction>(definition, store, options);
    const event = engine.eventFor(scenario.type);
    if (!event) throw new Error(`${scenario.type.name} is not an event of saga "${definition.name}"`);
    const messageId = messageIds[delivery.message] as string;
    try {
      const committed = await database.transaction(async (tx) => {
        const fingerprint = messageFingerprint([scenario.type.name], scenario.message);
        if ((await inbox.tryRecord(tx, definition.name, { messageId, fingerprint })) !== 'recorded')
          return [];
        const outcome = await engine.handle(tx, {
          event,
          message: scenario.message,
          messageId,
          correlationId: scenario.correlationId,
        });
        if (delivery.crash) throw crashed;
        if (outcome.sagaId !== undefined) touched.add(outcome.sagaId);
        return outcome.effects;
      });
      for (const effect of committed) {
        if (effect.kind === 'publish' || effect.kind === 'send' || effect.kind === 'request') {
          produced.push({ type: effect.messageType.name, message: effect.message });
        }
        if (effect.kind === 'expel') {
          faulted.push({ message: messageIds.indexOf(effect.held.messageId), reason: effect.reason });
        }
      }
    } catch (error) {
      if (error === crashed) continue;
      faulted.push({
        message: delivery.message,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
    const world = await snapshot(
      database,
      store,
      definition.name,
      touched,
      produced,
      faulted,
      step === schedule.length - 1,
    );
    for (const invariant of invariants) {
      if (invariant.atEnd && !world.finished) continue;
      const verdict = invariant.holds(world);
      if (verdict !== true) {
        const detail = typeof verdict === 'string' ? `: ${verdict}` : '';
        return { ok: false, violation: `invariant "${invariant.name}" broke${detail}`, afterDelivery: step };
      }
    }
    if (world.finished) return { ok: true, world };
  }
  return {
    ok: true,
    world: await snapshot(database, store, definition.name, touched, produced, faulted, true),
  };
}

/** Fresh message ids for a scenario; redeliveries of a message reuse its id. */
export function messageIdsFor(messages: readonly ScenarioMessage[]): string[] {
  return messages.map(() => uuidv7());
}

async function snapshot(
  database: MemoryDatabase,
  store: MemorySagaStore,
  sagaType: string,
  touched: ReadonlySet<string>,
  produced: readonly { type: string; message: unknown }[],
  faulted: readonly { message: number; reason: string }[],
  finished: boolean,
): Promise<SagaWorld> {
  const records = await database.transaction(async (tx) => {
    const loaded = await Promise.all([...touched].map((id) => store.load(tx, sagaType, id)));
    return loaded.filter((record) => record !== undefined);
  });
  let held = 0;
  const instances = records.map((record) => {
    const stored = record.data as { data: unknown; bookkeeping: { held: unknown[] } };
    held += stored.bookkeeping.held.length;
    return { state: record.state, data: stored.data, keys: { ...record.keys } };
  });
  return { instances, produced: [...produced], faulted: [...faulted], held, finished };
}
