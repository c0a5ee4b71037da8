import type { Activity } from '../definition/activities.ts';
import { type AnySagaDefinition, finalState, initialState } from '../definition/define-saga.ts';
import { ClauseTable } from '../runtime/clause-table.ts';

/**
 * A Mermaid `stateDiagram-v2` of a definition: one arrow per state, event and target state (an event
 * whose activities do not transition loops back to its state), `[*]` for the initial and final ends.
 */
export function mermaidDiagram(definition: AnySagaDefinition): string {
  const clauses = new ClauseTable(definition);
  const events = [...Object.keys(definition.events), ...Object.keys(definition.composites)];
  const lines = ['stateDiagram-v2'];
  const seen = new Set<string>();
  for (const state of [initialState, ...definition.states]) {
    for (const event of events) {
      for (const activities of clauses.clausesFor(state, event) ?? []) {
        for (const target of endStates(activities, new Set([state]))) {
          const arrow = `    ${node(state)} --> ${node(target)} : ${event}`;
          if (!seen.has(arrow)) lines.push(arrow);
          seen.add(arrow);
        }
      }
    }
  }
  if ([...seen].some((arrow) => arrow.includes(`--> ${finalState} `)))
    lines.push(`    ${finalState} --> [*]`);
  return `${lines.join('\n')}\n`;
}

function node(state: string): string {
  return state === initialState ? '[*]' : state;
}

/**
 * The states the activities may leave the instance in, starting from `from`: a later transition
 * replaces an earlier one, and each branch of an `if` (an absent one stays put) is a possible path.
 */
function endStates(activities: readonly Activity[], from: ReadonlySet<string>): Set<string> {
  let current = new Set(from);
  for (const activity of activities) {
    if (activity.kind === 'transitionTo') current = new Set([activity.state]);
    if (activity.kind === 'finalize') current = new Set([finalState]);
    if (activity.kind === 'if') {
      current = new Set([
        ...endStates(activity.whenTrue, current),
        ...endStates(activity.whenFalse, current),
      ]);
    }
  }
  return current;
}
