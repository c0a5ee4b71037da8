import { type MessageType, type SagaStore, uuidv7 } from '@switchyard/bus';
import { type AnySagaDefinition, initialState } from '../definition/define-saga.ts';
import type { SagaEvent } from '../definition/saga-event.ts';
import { SagaNotFoundError } from '../saga-errors.ts';
import { ClauseTable } from './clause-table.ts';
import { describeLookup, findInstance, lookupOf, newInstance } from './correlation.ts';
import { deliverMessage } from './delivery-policy.ts';
import { expelHeld, expiryReason } from './held-messages.ts';
import { instanceFromRecord } from './saga-instance.ts';
import { type IncomingSagaMessage, quietOutcome, type SagaOutcome, type SagaResult } from './saga-outcome.ts';
import { settleAndSave } from './settle-unit.ts';
import { type SagaRules, startUnit, unitOutcome } from './unit-of-work.ts';

export type { IncomingSagaMessage, SagaEffect, SagaOutcome, SagaResult } from './saga-outcome.ts';

/** Options for the engine. */
export interface SagaEngineOptions {
  /** The clock (ms since the epoch); default `Date.now`. */
  readonly now?: () => number;
  /** Ids for instances started by key (default UUIDv7) and tokens for scheduled messages. */
  readonly newId?: () => string;
}

/**
 * Applies saga messages to instances in the saga store inside the caller's transaction. The engine
 * keeps nothing between calls, so a crash before commit loses nothing but the uncommitted work, and
 * the redelivered message is applied afresh.
 *
 * A façade over the parts, each a set of functions over the unit of work (`unit-of-work.ts`): finding
 * the instance (`correlation.ts`), deciding a message's fate (`delivery-policy.ts`), holding and
 * expelling messages (`held-messages.ts`), running activities (`activity-interpreter.ts`) and bringing
 * the instance to rest before it is saved (`settle-unit.ts`).
 */
export class SagaEngine<Tx> {
  readonly definition: AnySagaDefinition;
  readonly #store: SagaStore<Tx>;
  readonly #rules: SagaRules;
  readonly #now: () => number;
  readonly #eventsByUrn = new Map<string, SagaEvent>();

  constructor(definition: AnySagaDefinition, store: SagaStore<Tx>, options: SagaEngineOptions = {}) {
    this.definition = definition;
    this.#store = store;
    this.#rules = { definition, clauses: new ClauseTable(definition), newId: options.newId ?? uuidv7 };
    this.#now = options.now ?? Date.now;
    for (const each of Object.values(definition.events)) this.#eventsByUrn.set(each.messageType.urn, each);
  }

  /** The event a message type is declared as, if any. */
  eventFor(messageType: MessageType): SagaEvent | undefined {
    return this.#eventsByUrn.get(messageType.urn);
  }

  /** True when `event` (declared or composite) has a behaviour in `state`. */
  accepts(state: string, event: string): boolean {
    return this.#rules.clauses.accepts(state, event);
  }

  /** Applies one message: finds (or starts, parks, defers) its instance, runs the behaviour and saves. */
  async handle(tx: Tx, incoming: IncomingSagaMessage): Promise<SagaOutcome> {
    const { event } = incoming;
    const lookup = lookupOf(this.definition, incoming);
    let instance = await findInstance(this.#store, tx, this.definition.name, lookup);
    if (incoming.scheduledAs !== undefined) {
      // A scheduled event counts only while it is the one the instance is waiting for.
      if (!instance || instance.bookkeeping.timeouts[incoming.scheduledAs] !== incoming.messageId) {
        return quietOutcome('stale', instance);
      }
    }
    if (!instance || instance.state === initialState) {
      if (!this.accepts(initialState, event.name)) {
        if (event.whenMissing === 'ignore') return quietOutcome('ignored', instance);
        if (event.whenMissing === 'fault') {
          throw new SagaNotFoundError(
            `No ${this.definition.name} saga with ${describeLookup(lookup)} for ${event.messageType.name} (message ${incoming.messageId}), and "${event.name}" cannot start one`,
          );
        }
      }
      if (!instance) {
        instance = newInstance(this.#rules, lookup);
        if (incoming.endpoint?.includes('@')) instance.bookkeeping.startedIn = incoming.endpoint;
      }
    }
    const unit = startUnit(instance, incoming.messageId, new Date(this.#now()));
    if (incoming.scheduledAs !== undefined) {
      delete instance.bookkeeping.timeouts[incoming.scheduledAs];
      unit.changed = true;
    }
    const delivered = deliverMessage(this.#rules, unit, incoming, 'incoming');
    const result: SagaResult =
      delivered === 'applied' || delivered === 'held' || delivered === 'duplicate' ? delivered : 'ignored';
    if (!unit.changed) return quietOutcome(result, instance);
    await settleAndSave(this.#rules, this.#store, tx, unit);
    return unitOutcome(result, unit);
  }

  /** A held message's time limit passed: send it to the error queue if the instance still holds it. */
  async expireHeld(tx: Tx, sagaId: string, heldMessageId: string): Promise<SagaOutcome> {
    const record = await this.#store.load(tx, this.definition.name, sagaId);
    if (!record) return quietOutcome('stale', undefined);
    const instance = instanceFromRecord(record);
    const index = instance.bookkeeping.held.findIndex((each) => each.messageId === heldMessageId);
    const held = instance.bookkeeping.held[index];
    if (!held) return quietOutcome('stale', instance);
    instance.bookkeeping.held.splice(index, 1);
    const unit = startUnit(instance, heldMessageId, new Date(this.#now()));
    unit.changed = true;
    expelHeld(this.#rules, unit, held, expiryReason(held, this.definition.name));
    await settleAndSave(this.#rules, this.#store, tx, unit);
    return unitOutcome('expired', unit);
  }
}
