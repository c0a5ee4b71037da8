import type { SagaTransition } from '@switchyard/bus';
import type { AnySagaDefinition } from '../definition/define-saga.ts';
import type { ClauseTable } from './clause-table.ts';
import type { SagaInstance } from './saga-instance.ts';
import type { SagaEffect, SagaOutcome, SagaResult } from './saga-outcome.ts';

/** What the engine's parts read of one saga type: its definition, its clauses, and where new ids come from. */
export interface SagaRules {
  readonly definition: AnySagaDefinition;
  readonly clauses: ClauseTable;
  readonly newId: () => string;
}

/**
 * The work of one message on one instance: effects and transitions gathered until it is saved. Every
 * part of the engine is a function over a unit, so the unit is all there is to a message's progress.
 */
export interface Unit {
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

/** A fresh unit for `messageId` on `instance`, at `now`. */
export function startUnit(instance: SagaInstance, messageId: string, now: Date): Unit {
  return {
    instance,
    messageId,
    now,
    effects: [],
    transitions: [],
    checkedKeys: { ...instance.storedKeys },
    adopted: new Set(),
    changed: false,
  };
}

/** The outcome of a unit that changed its instance. */
export function unitOutcome(result: SagaResult, unit: Unit): SagaOutcome {
  return {
    result,
    sagaId: unit.instance.id,
    state: unit.instance.state,
    effects: unit.effects,
    transitions: unit.transitions,
    slot: slotOfQueue(unit.instance.bookkeeping.startedIn),
  };
}

/** The slot of a slot's queue (`billing@blue` → `blue`); undefined for any other queue. */
export function slotOfQueue(queue: string | undefined): string | undefined {
  const at = queue?.lastIndexOf('@') ?? -1;
  return queue !== undefined && at > 0 ? queue.slice(at + 1) : undefined;
}
