import type { Activity } from '../definition/activities.ts';
import { type AnySagaDefinition, initialState } from '../definition/define-saga.ts';

/**
 * Which activities run for each (state, event): `initially` clauses for the initial state, then for
 * every declared state its `during` clauses followed by the `duringAny` ones, in definition order.
 */
export class ClauseTable {
  readonly #table = new Map<string, Map<string, (readonly Activity[])[]>>();
  readonly finallyActivities: readonly Activity[];

  constructor(definition: AnySagaDefinition) {
    let finallyActivities: readonly Activity[] = [];
    const add = (state: string, event: string, activities: readonly Activity[]) => {
      let events = this.#table.get(state);
      if (!events) {
        events = new Map();
        this.#table.set(state, events);
      }
      const list = events.get(event) ?? [];
      list.push(activities);
      events.set(event, list);
    };
    const deferredAny: [string, readonly Activity[]][] = [];
    for (const behaviour of definition.behaviours) {
      if (behaviour.kind === 'finally') {
        finallyActivities = behaviour.activities;
        continue;
      }
      for (const clause of behaviour.clauses) {
        const scope = behaviour.scope;
        if (scope.kind === 'initially') add(initialState, clause.event, clause.activities);
        else if (scope.kind === 'during')
          for (const state of scope.states) add(state, clause.event, clause.activities);
        else deferredAny.push([clause.event, clause.activities]);
      }
    }
    // duringAny runs after the state's own clauses, whatever the order they were written in.
    for (const [event, activities] of deferredAny) {
      for (const state of definition.states) add(state, event, activities);
    }
    this.finallyActivities = finallyActivities;
  }

  /** The activity lists for `event` in `state`; undefined when the state does not accept it. */
  clausesFor(state: string, event: string): readonly (readonly Activity[])[] | undefined {
    return this.#table.get(state)?.get(event);
  }

  accepts(state: string, event: string): boolean {
    return this.clausesFor(state, event) !== undefined;
  }

  /** The events a state accepts (for diagrams and messages). */
  eventsAccepted(state: string): string[] {
    return [...(this.#table.get(state)?.keys() ?? [])];
  }
}
