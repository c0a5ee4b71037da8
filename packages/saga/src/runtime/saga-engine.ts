import { type MessageType, type SagaStore, type SagaTransition, uuidv7 } from '@switchyard/bus';
import type { Activity, ActivityContext } from '../definition/activities.ts';
import { type AnySagaDefinition, finalState, initialState } from '../definition/define-saga.ts';
import type { SagaEvent } from '../definition/saga-event.ts';
import { ClauseTable } from './clause-table.ts';
import {
  SagaCorrelationError,
  SagaKeyConflictError,
  SagaNotFoundError,
  UnexpectedSagaEventError,
} from './saga-errors.ts';
import {
  emptyBookkeeping,
  type HeldMessage,
  type HoldReason,
  instanceFromRecord,
  recordFromInstance,
  type SagaInstance,
} from './saga-instance.ts';

/** A message for a saga, as the runtime hands it to the engine. */
export interface IncomingSagaMessage {
  readonly event: SagaEvent;
  readonly message: unknown;
  readonly messageId: string;
  readonly correlationId?: string | undefined;
  /** The event name a saga scheduled this message as; only the latest scheduled one is applied. */
  readonly scheduledAs?: string | undefined;
}

/** What a unit of work asks the runtime to do once it commits (the runtime writes these in the same transaction). */
export type SagaEffect =
  | { readonly kind: 'publish'; readonly messageType: MessageType; readonly message: unknown }
  | {
      readonly kind: 'send';
      readonly destination: string;
      readonly messageType: MessageType;
      readonly message: unknown;
    }
  | {
      readonly kind: 'request';
      readonly destination: string;
      readonly messageType: MessageType;
      readonly message: unknown;
      readonly sagaId: string;
    }
  | {
      readonly kind: 'schedule';
      readonly token: string;
      readonly dueAt: Date;
      readonly event: string;
      readonly messageType: MessageType;
      readonly message: unknown;
    }
  | { readonly kind: 'unschedule'; readonly token: string }
  | {
      readonly kind: 'expel';
      readonly held: HeldMessage;
      readonly messageType: MessageType;
      readonly reason: string;
    }
  | {
      readonly kind: 'expireHeld';
      readonly token: string;
      readonly dueAt: Date;
      readonly sagaId: string;
      readonly heldMessageId: string;
    };

/** How a unit of work ended. */
export type SagaResult = 'applied' | 'held' | 'ignored' | 'duplicate' | 'stale' | 'expired';

/** The result of handling one message: what happened, and what the runtime must do in the same transaction. */
export interface SagaOutcome {
  readonly result: SagaResult;
  readonly sagaId: string | undefined;
  readonly state: string | undefined;
  readonly effects: readonly SagaEffect[];
  readonly transitions: readonly SagaTransition[];
}

/** Options for the engine. */
export interface SagaEngineOptions {
  /** The clock (ms since the epoch); default `Date.now`. */
  readonly now?: () => number;
  /** Ids for instances started by key (default UUIDv7) and tokens for scheduled messages. */
  readonly newId?: () => string;
}

/** Guards against definitions whose held messages keep each other alive forever. */
const maxSettleRounds = 1_000;

/** The work of one message on one instance: effects and transitions gathered until it is saved. */
interface Unit {
  readonly instance: SagaInstance;
  readonly messageId: string;
  readonly now: Date;
  readonly effects: SagaEffect[];
  readonly transitions: SagaTransition[];
  /** Key values already looked up for placeholders to absorb. */
  readonly checkedKeys: Record<string, string>;
  /** Ids of held messages taken over from placeholders in this unit. */
  readonly adopted: Set<string>;
  changed: boolean;
}

/** What became of a delivered message; `refused` only for held messages whose event says `fault`. */
type DeliveryResult = 'applied' | 'held' | 'ignored' | 'duplicate' | 'waiting' | { readonly refused: string };

/**
 * Applies saga messages to instances in the saga store inside the caller's transaction. The engine
 * keeps nothing between calls, so a crash before commit loses nothing but the uncommitted work, and
 * the redelivered message is applied afresh.
 */
export class SagaEngine<Tx> {
  readonly definition: AnySagaDefinition;
  readonly #store: SagaStore<Tx>;
  readonly #clauses: ClauseTable;
  readonly #now: () => number;
  readonly #newId: () => string;
  readonly #eventsByUrn = new Map<string, SagaEvent>();

  constructor(definition: AnySagaDefinition, store: SagaStore<Tx>, options: SagaEngineOptions = {}) {
    this.definition = definition;
    this.#store = store;
    this.#clauses = new ClauseTable(definition);
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? uuidv7;
    for (const each of Object.values(definition.events)) this.#eventsByUrn.set(each.messageType.urn, each);
  }

  /** The event a message type is declared as, if any. */
  eventFor(messageType: MessageType): SagaEvent | undefined {
    return this.#eventsByUrn.get(messageType.urn);
  }

  /** True when `event` (declared or composite) has a behaviour in `state`. */
  accepts(state: string, event: string): boolean {
    return this.#clauses.accepts(state, event);
  }

  /** Applies one message: finds (or starts, parks, defers) its instance, runs the behaviour and saves. */
  async handle(tx: Tx, incoming: IncomingSagaMessage): Promise<SagaOutcome> {
    const { event } = incoming;
    const lookup = this.#correlationOf(incoming);
    let instance = await this.#find(tx, lookup);
    if (incoming.scheduledAs !== undefined) {
      // A scheduled event counts only while it is the one the instance is waiting for.
      if (!instance || instance.bookkeeping.timeouts[incoming.scheduledAs] !== incoming.messageId) {
        return quiet('stale', instance);
      }
    }
    if (!instance || instance.state === initialState) {
      if (!this.#clauses.accepts(initialState, event.name)) {
        if (event.whenMissing === 'ignore') return quiet('ignored', instance);
        if (event.whenMissing === 'fault') {
          throw new SagaNotFoundError(
            `No ${this.definition.name} saga with ${describeLookup(lookup)} for ${event.messageType.name} (message ${incoming.messageId}), and "${event.name}" cannot start one`,
          );
        }
      }
      instance ??= this.#newInstance(lookup);
    }
    const unit = this.#unit(instance, incoming.messageId);
    if (incoming.scheduledAs !== undefined) {
      delete instance.bookkeeping.timeouts[incoming.scheduledAs];
      unit.changed = true;
    }
    const delivered = this.#deliver(unit, incoming, 'incoming');
    const result: SagaResult =
      delivered === 'applied' || delivered === 'held' || delivered === 'duplicate' ? delivered : 'ignored';
    if (!unit.changed) return quiet(result, instance);
    await this.#settleAndSave(tx, unit);
    return outcome(result, unit);
  }

  /** A held message's time limit passed: send it to the error queue if the instance still holds it. */
  async expireHeld(tx: Tx, sagaId: string, heldMessageId: string): Promise<SagaOutcome> {
    const record = await this.#store.load(tx, this.definition.name, sagaId);
    if (!record) return quiet('stale', undefined);
    const instance = instanceFromRecord(record);
    const index = instance.bookkeeping.held.findIndex((each) => each.messageId === heldMessageId);
    const held = instance.bookkeeping.held[index];
    if (!held) return quiet('stale', instance);
    instance.bookkeeping.held.splice(index, 1);
    const unit = this.#unit(instance, heldMessageId);
    unit.changed = true;
    this.#expel(unit, held, expiryReason(held, this.definition.name));
    await this.#settleAndSave(tx, unit);
    return outcome('expired', unit);
  }

  #unit(instance: SagaInstance, messageId: string): Unit {
    return {
      instance,
      messageId,
      now: new Date(this.#now()),
      effects: [],
      transitions: [],
      checkedKeys: { ...instance.storedKeys },
      adopted: new Set(),
      changed: false,
    };
  }

  #correlationOf(incoming: IncomingSagaMessage): Lookup {
    const { event } = incoming;
    const correlation = event.correlation;
    const where = () =>
      `${this.definition.name} event "${event.name}" (${event.messageType.name}, message ${incoming.messageId})`;
    if (correlation.kind === 'correlationId') {
      if (!incoming.correlationId) {
        throw new SagaCorrelationError(`${where()} correlates by correlation id, but the message has none`);
      }
      return { kind: 'id', value: incoming.correlationId };
    }
    const value = correlation.value(incoming.message as never);
    if (typeof value !== 'string' || value === '') {
      throw new SagaCorrelationError(
        `${where()} gave ${JSON.stringify(value)} as its correlation value; expected a non-empty string`,
      );
    }
    return correlation.kind === 'id' ? { kind: 'id', value } : { kind: 'key', key: correlation.key, value };
  }

  async #find(tx: Tx, lookup: Lookup): Promise<SagaInstance | undefined> {
    const record =
      lookup.kind === 'id'
        ? await this.#store.load(tx, this.definition.name, lookup.value)
        : await this.#store.findByKey(tx, this.definition.name, lookup.key, lookup.value);
    return record ? instanceFromRecord(record) : undefined;
  }

  #newInstance(lookup: Lookup): SagaInstance {
    const id = lookup.kind === 'id' ? lookup.value : this.#newId();
    return {
      id,
      state: initialState,
      data: this.definition.initialData(),
      bookkeeping: emptyBookkeeping(),
      version: 0,
      storedKeys: {},
      addedKeys: lookup.kind === 'key' ? { [lookup.key]: lookup.value } : {},
    };
  }

  /** Applies, holds, drops or refuses one message on the unit's instance. */
  #deliver(
    unit: Unit,
    incoming: Omit<IncomingSagaMessage, 'scheduledAs'>,
    origin: 'incoming' | 'held',
  ): DeliveryResult {
    const { instance } = unit;
    const { event } = incoming;
    const bookkeeping = instance.bookkeeping;
    const sequence = event.sequence;
    let number: number | undefined;
    if (sequence) {
      number = sequence.number(incoming.message as never);
      const last = bookkeeping.sequences[sequence.stream] ?? (sequence.first ?? 1) - 1;
      if (!Number.isInteger(number)) {
        throw new SagaCorrelationError(
          `${this.definition.name} event "${event.name}" (message ${incoming.messageId}) gave sequence number ${JSON.stringify(number)}; expected an integer`,
        );
      }
      if (number <= last) return 'duplicate';
      if (origin === 'incoming' && this.#holdsSequence(instance, event, number)) return 'duplicate';
      if (number > last + 1) {
        if (origin === 'held') return 'waiting';
        this.#hold(unit, incoming, 'gap', sequence.gapLimitMs);
        return 'held';
      }
    }
    if (instance.state === initialState && !this.#clauses.accepts(initialState, event.name)) {
      // Only a message whose event says "park" gets here without an instance to apply to.
      if (origin === 'held') return 'waiting';
      this.#hold(unit, incoming, 'parked', event.parkLimitMs);
      return 'held';
    }
    if (!this.#clauses.accepts(instance.state, event.name)) {
      const accepted = this.#acceptingStates(event.name);
      if (event.onUnexpected === 'defer') {
        if (origin === 'held') return 'waiting';
        this.#hold(unit, incoming, 'deferred', event.deferLimitMs);
        return 'held';
      }
      if (event.onUnexpected === 'ignore') {
        this.#advance(unit, event, number);
        return 'ignored';
      }
      const reason = `${this.definition.name} saga ${instance.id} is in state "${instance.state}", which does not accept "${event.name}" (${event.messageType.name}); it is accepted in ${accepted}`;
      if (origin === 'incoming') throw new UnexpectedSagaEventError(reason);
      this.#advance(unit, event, number);
      return { refused: reason };
    }
    this.#advance(unit, event, number);
    this.#apply(unit, event.name, incoming.message, incoming.messageId);
    for (const [composite, parts] of Object.entries(this.definition.composites)) {
      if (!parts.includes(event.name) || bookkeeping.raised.includes(composite)) continue;
      const seen = bookkeeping.composites[composite] ?? [];
      if (!seen.includes(event.name)) bookkeeping.composites[composite] = [...seen, event.name];
    }
    return 'applied';
  }

  #advance(unit: Unit, event: SagaEvent, number: number | undefined): void {
    if (!event.sequence || number === undefined) return;
    unit.instance.bookkeeping.sequences[event.sequence.stream] = number;
    unit.changed = true;
  }

  #holdsSequence(instance: SagaInstance, event: SagaEvent, number: number): boolean {
    const stream = event.sequence?.stream;
    return instance.bookkeeping.held.some((held) => {
      const heldEvent = this.definition.events[held.event];
      return (
        heldEvent?.sequence?.stream === stream &&
        heldEvent?.sequence?.number(held.message as never) === number
      );
    });
  }

  #hold(
    unit: Unit,
    incoming: Omit<IncomingSagaMessage, 'scheduledAs'>,
    reason: HoldReason,
    limitMs: number | undefined,
  ): void {
    unit.changed = true;
    const held = heldFrom(
      incoming,
      reason,
      unit.now,
      limitMs === undefined ? undefined : { limitMs, token: this.#newId() },
    );
    unit.instance.bookkeeping.held.push(held);
    if (held.expiresAt !== undefined && held.expiryToken !== undefined) {
      unit.effects.push({
        kind: 'expireHeld',
        token: held.expiryToken,
        dueAt: new Date(held.expiresAt),
        sagaId: unit.instance.id,
        heldMessageId: held.messageId,
      });
    }
  }

  #expel(unit: Unit, held: HeldMessage, reason: string): void {
    const event = this.definition.events[held.event];
    if (!event) return;
    if (held.expiryToken !== undefined) unit.effects.push({ kind: 'unschedule', token: held.expiryToken });
    unit.effects.push({ kind: 'expel', held, messageType: event.messageType, reason });
  }

  /** Runs the behaviour of `event` in the instance's current state and records the transition. */
  #apply(unit: Unit, event: string, message: unknown, messageId: string): void {
    const { instance } = unit;
    const from = instance.state;
    unit.changed = true;
    for (const activities of this.#clauses.clausesFor(from, event) ?? []) {
      this.#run(unit, activities, message, messageId);
    }
    unit.transitions.push({
      sagaType: this.definition.name,
      sagaId: instance.id,
      from: from === initialState ? undefined : from,
      to: instance.state,
      event,
      messageId,
      at: unit.now,
    });
    if (instance.state === finalState && from !== finalState) {
      this.#run(unit, this.#clauses.finallyActivities, undefined, messageId);
    }
  }

  #run(unit: Unit, activities: readonly Activity[], message: unknown, messageId: string): void {
    const { instance } = unit;
    const context: ActivityContext<unknown, unknown> = {
      get data() {
        return instance.data;
      },
      set data(value) {
        instance.data = value;
      },
      message,
      sagaId: instance.id,
      get state() {
        return instance.state;
      },
      messageId,
      now: unit.now,
    };
    for (const activity of activities) {
      switch (activity.kind) {
        case 'update': {
          const replaced = activity.action(context);
          if (replaced !== undefined) instance.data = replaced;
          break;
        }
        case 'publish':
          unit.effects.push({
            kind: 'publish',
            messageType: activity.messageType,
            message: activity.build(context),
          });
          break;
        case 'send':
          unit.effects.push({
            kind: 'send',
            destination: activity.destination,
            messageType: activity.messageType,
            message: activity.build(context),
          });
          break;
        case 'request':
          unit.effects.push({
            kind: 'request',
            destination: activity.destination,
            messageType: activity.messageType,
            message: activity.build(context),
            sagaId: instance.id,
          });
          break;
        case 'schedule': {
          const event = this.definition.events[activity.event];
          if (!event) break;
          const dueAt =
            typeof activity.at === 'function'
              ? activity.at(context)
              : new Date(unit.now.getTime() + activity.at.afterMs);
          const previous = instance.bookkeeping.timeouts[activity.event];
          if (previous !== undefined) unit.effects.push({ kind: 'unschedule', token: previous });
          const token = this.#newId();
          instance.bookkeeping.timeouts[activity.event] = token;
          unit.effects.push({
            kind: 'schedule',
            token,
            dueAt,
            event: activity.event,
            messageType: event.messageType,
            message: activity.build(context),
          });
          break;
        }
        case 'unschedule': {
          const token = instance.bookkeeping.timeouts[activity.event];
          if (token !== undefined) {
            unit.effects.push({ kind: 'unschedule', token });
            delete instance.bookkeeping.timeouts[activity.event];
          }
          break;
        }
        case 'transitionTo':
          instance.state = activity.state;
          break;
        case 'finalize':
          instance.state = finalState;
          break;
        case 'if':
          this.#run(
            unit,
            activity.condition(context) ? activity.whenTrue : activity.whenFalse,
            message,
            messageId,
          );
          break;
      }
    }
  }

  /**
   * Brings the instance to rest: takes over parked messages of placeholders whose keys it now holds,
   * raises composites, replays held messages its state now accepts, then saves it and its transitions.
   */
  async #settleAndSave(tx: Tx, unit: Unit): Promise<void> {
    const { instance } = unit;
    let keys = this.#keysOf(instance);
    for (let round = 0; round < maxSettleRounds; round += 1) {
      const absorbed = await this.#absorbPlaceholders(tx, unit, keys);
      const progressed = absorbed || this.#raiseComposite(unit) || this.#replayOneHeld(unit);
      keys = this.#keysOf(instance);
      if (!progressed) break;
    }
    if (instance.state === finalState) this.#finish(unit);
    this.#rescheduleAdoptedExpiries(unit);
    const record = recordFromInstance(this.definition.name, instance, keys);
    // A placeholder is an instance in the initial state that only held parked messages; without them it goes.
    const placeholderEmptied =
      instance.state === initialState &&
      instance.bookkeeping.held.length === 0 &&
      unit.transitions.length === 0;
    const removed =
      placeholderEmptied || (instance.state === finalState && this.definition.removeWhenFinalized);
    if (removed) {
      if (instance.version > 0)
        await this.#store.remove(tx, this.definition.name, instance.id, instance.version);
    } else if (instance.version === 0) {
      await this.#store.insert(tx, record);
    } else {
      await this.#store.update(tx, record);
    }
    for (const transition of unit.transitions) await this.#store.recordTransition(tx, transition);
  }

  /** Keys as stored, plus the ones the instance was found or started by, overridden by those its data gives. */
  #keysOf(instance: SagaInstance): Record<string, string> {
    const keys: Record<string, string> = { ...instance.storedKeys, ...instance.addedKeys };
    if (instance.state === initialState) return keys;
    for (const [name, read] of Object.entries(this.definition.keys)) {
      const value = read(instance.data);
      if (typeof value === 'string' && value !== '') keys[name] = value;
    }
    return keys;
  }

  /** For each key value the instance newly holds, a placeholder parked under it hands over its messages. */
  async #absorbPlaceholders(tx: Tx, unit: Unit, keys: Record<string, string>): Promise<boolean> {
    const { instance } = unit;
    let absorbed = false;
    for (const [key, value] of Object.entries(keys)) {
      if (unit.checkedKeys[key] === value) continue;
      unit.checkedKeys[key] = value;
      const record = await this.#store.findByKey(tx, this.definition.name, key, value);
      if (!record || record.id === instance.id) continue;
      if (record.state !== initialState) {
        throw new SagaKeyConflictError(
          `${this.definition.name} saga ${instance.id} would take ${key}="${value}", which saga ${record.id} (state "${record.state}") holds`,
        );
      }
      const placeholder = instanceFromRecord(record);
      await this.#store.remove(tx, this.definition.name, placeholder.id, placeholder.version);
      instance.bookkeeping.held.push(...placeholder.bookkeeping.held);
      for (const held of placeholder.bookkeeping.held) unit.adopted.add(held.messageId);
      absorbed = placeholder.bookkeeping.held.length > 0 || absorbed;
    }
    return absorbed;
  }

  /** Expiries of messages taken over from a placeholder name the placeholder: move those still held here. */
  #rescheduleAdoptedExpiries(unit: Unit): void {
    const held = unit.instance.bookkeeping.held;
    for (const [index, each] of held.entries()) {
      if (!unit.adopted.has(each.messageId) || each.expiryToken === undefined || each.expiresAt === undefined)
        continue;
      const expiryToken = this.#newId();
      unit.effects.push({ kind: 'unschedule', token: each.expiryToken });
      unit.effects.push({
        kind: 'expireHeld',
        token: expiryToken,
        dueAt: new Date(each.expiresAt),
        sagaId: unit.instance.id,
        heldMessageId: each.messageId,
      });
      held[index] = { ...each, expiryToken };
    }
  }

  #raiseComposite(unit: Unit): boolean {
    const { instance } = unit;
    for (const [composite, parts] of Object.entries(this.definition.composites)) {
      if (instance.bookkeeping.raised.includes(composite)) continue;
      const seen = instance.bookkeeping.composites[composite] ?? [];
      if (!parts.every((part) => seen.includes(part))) continue;
      if (!this.#clauses.accepts(instance.state, composite)) continue;
      instance.bookkeeping.raised.push(composite);
      delete instance.bookkeeping.composites[composite];
      this.#apply(unit, composite, undefined, unit.messageId);
      return true;
    }
    return false;
  }

  /** Replays the first held message that can now be applied (or dropped); false when none can. */
  #replayOneHeld(unit: Unit): boolean {
    const held = unit.instance.bookkeeping.held;
    for (let index = 0; index < held.length; index += 1) {
      const each = held[index] as HeldMessage;
      const event = this.definition.events[each.event];
      if (!event) continue;
      const result = this.#deliver(
        unit,
        { event, message: each.message, messageId: each.messageId, correlationId: each.correlationId },
        'held',
      );
      if (result === 'waiting') continue;
      held.splice(held.indexOf(each), 1);
      if (typeof result === 'object') this.#expel(unit, each, result.refused);
      else if (each.expiryToken !== undefined)
        unit.effects.push({ kind: 'unschedule', token: each.expiryToken });
      unit.changed = true;
      return true;
    }
    return false;
  }

  /** A finished instance cancels what it scheduled and sends what it still holds to the error queue. */
  #finish(unit: Unit): void {
    const bookkeeping = unit.instance.bookkeeping;
    for (const [event, token] of Object.entries(bookkeeping.timeouts)) {
      unit.effects.push({ kind: 'unschedule', token });
      delete bookkeeping.timeouts[event];
    }
    for (const held of bookkeeping.held.splice(0)) {
      this.#expel(
        unit,
        held,
        `${this.definition.name} saga ${unit.instance.id} finished before it could apply "${held.event}" (held as ${held.reason})`,
      );
    }
  }

  #acceptingStates(event: string): string {
    const states = [initialState, ...this.definition.states].filter((state) =>
      this.#clauses.accepts(state, event),
    );
    return states.length > 0 ? states.map((state) => `"${state}"`).join(', ') : 'no state';
  }
}

/** How a message finds its instance. */
type Lookup =
  | { readonly kind: 'id'; readonly value: string }
  | { readonly kind: 'key'; readonly key: string; readonly value: string };

function describeLookup(lookup: Lookup): string {
  return lookup.kind === 'id' ? `id "${lookup.value}"` : `${lookup.key}="${lookup.value}"`;
}

function heldFrom(
  incoming: Omit<IncomingSagaMessage, 'scheduledAs'>,
  reason: HoldReason,
  now: Date,
  expiry?: { readonly limitMs: number; readonly token: string },
): HeldMessage {
  return {
    messageId: incoming.messageId,
    event: incoming.event.name,
    reason,
    message: incoming.message,
    correlationId: incoming.correlationId,
    heldAt: now.toISOString(),
    ...(expiry
      ? { expiresAt: new Date(now.getTime() + expiry.limitMs).toISOString(), expiryToken: expiry.token }
      : {}),
  };
}

function expiryReason(held: HeldMessage, sagaName: string): string {
  const what = `"${held.event}" (message ${held.messageId}, held since ${held.heldAt})`;
  if (held.reason === 'parked') return `No ${sagaName} saga appeared for ${what} before its park limit`;
  if (held.reason === 'gap')
    return `The messages before ${what} in its ${sagaName} sequence did not arrive before its gap limit`;
  return `The ${sagaName} saga did not reach a state accepting ${what} before its defer limit`;
}

function quiet(result: SagaResult, instance: SagaInstance | undefined): SagaOutcome {
  return { result, sagaId: instance?.id, state: instance?.state, effects: [], transitions: [] };
}

function outcome(result: SagaResult, unit: Unit): SagaOutcome {
  return {
    result,
    sagaId: unit.instance.id,
    state: unit.instance.state,
    effects: unit.effects,
    transitions: unit.transitions,
  };
}
