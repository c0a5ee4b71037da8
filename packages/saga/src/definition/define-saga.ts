import { ConfigurationError } from '@switchyard/bus';
import { type Activity, ActivityChain } from './activities.ts';
import type { EventSpec, MessageOfEvent, SagaEvent } from './saga-event.ts';

/** The state of an instance that does not exist yet (or only holds parked messages). */
export const initialState = 'Initial';
/** The state of a finished instance. */
export const finalState = 'Final';

/** The events a definition declares, by name. */
// biome-ignore lint/suspicious/noExplicitAny: each event has its own message type
export type EventMap = Record<string, EventSpec<any>>;

/** The message of event `K`: the event's message, or `undefined` for a composite event. */
export type EventMessage<E extends EventMap, K> = K extends keyof E ? MessageOfEvent<E[K]> : undefined;

/** The messages of the declared events, by name (what `schedule` builds). */
export type EventMessages<E extends EventMap> = { [K in keyof E]: MessageOfEvent<E[K]> };

/** The activities that run when `event` arrives in the states of a behaviour. */
export interface WhenClause {
  readonly event: string;
  readonly activities: readonly Activity[];
}

/** Which states a group of clauses applies in. */
export type BehaviourScope =
  | { readonly kind: 'initially' }
  | { readonly kind: 'during'; readonly states: readonly string[] }
  | { readonly kind: 'duringAny' };

/** A group of clauses for some states, or the `finally` activities. */
export type Behaviour =
  | { readonly kind: 'clauses'; readonly scope: BehaviourScope; readonly clauses: readonly WhenClause[] }
  | { readonly kind: 'finally'; readonly activities: readonly Activity[] };

/** What the `behaviour` function of a definition receives to describe the state machine. */
export interface BehaviourBuilder<D, S extends string, E extends EventMap, C extends string> {
  /** The clauses for messages that find no instance: these may start one. */
  initially(...clauses: WhenClause[]): Behaviour;
  during(states: S | readonly S[], ...clauses: WhenClause[]): Behaviour;
  /** Clauses that apply in every state but the initial and final ones. */
  duringAny(...clauses: WhenClause[]): Behaviour;
  /** Activities that run when an instance is finalized. */
  finally(
    build: (
      chain: ActivityChain<D, undefined, S, EventMessages<E>>,
    ) => ActivityChain<D, undefined, S, EventMessages<E>>,
  ): Behaviour;
  /** When event `name` (declared or composite) arrives, run the activities `build` chains. */
  when<K extends (keyof E & string) | C>(
    name: K,
    build: (
      chain: ActivityChain<D, EventMessage<E, K>, S, EventMessages<E>>,
    ) => ActivityChain<D, EventMessage<E, K>, S, EventMessages<E>>,
  ): WhenClause;
}

/** What `defineSaga` takes. */
export interface SagaSpec<D, S extends string, E extends EventMap, C extends string> {
  /** The saga type: stored with every instance, and the default name of its receive endpoint. */
  readonly name: string;
  readonly states: readonly S[];
  /** The data of a new instance, before the first activities run. */
  readonly initialData: () => D;
  readonly events: E;
  /** Composite events: raised once, when every listed event has been applied, in the first state that accepts it. */
  readonly composites?: { readonly [K in C]: readonly (keyof E & string)[] };
  /** Correlation keys read from the data after every transition; `undefined` leaves the key unset. */
  readonly keys?: Readonly<Record<string, (data: D) => string | undefined>>;
  /** Delete finalized instances (their timeline stays). Default false: they stay in the final state. */
  readonly removeWhenFinalized?: boolean;
  /**
   * States in which an instance waits for nothing its own messages caused, only for events from outside
   * its conversation (a driver's late scan), which go to the live slot anyway. An instance resting in one
   * does not keep the blue/green slot it started in from draining. Default: none (only `Final` rests).
   */
  readonly settledStates?: readonly S[];
  readonly behaviour: (builder: BehaviourBuilder<D, S, E, C>) => readonly Behaviour[];
}

/** A saga definition: an inspectable value the runtime, the checker and the diagram generator read. */
export interface SagaDefinition<
  D = unknown,
  S extends string = string,
  E extends EventMap = EventMap,
  C extends string = string,
> {
  readonly name: string;
  /** The declared states, without `Initial` and `Final`. */
  readonly states: readonly S[];
  readonly initialData: () => D;
  readonly events: { readonly [K in keyof E]: SagaEvent<MessageOfEvent<E[K]>> };
  readonly composites: Readonly<Record<C, readonly string[]>>;
  readonly keys: Readonly<Record<string, (data: D) => string | undefined>>;
  readonly removeWhenFinalized: boolean;
  /** States that do not hold the instance's slot open (see SagaSpec.settledStates). */
  readonly settledStates: readonly S[];
  readonly behaviours: readonly Behaviour[];
}

/** Any saga definition, whatever its data, states and events: what the runtime and tooling accept. */
// biome-ignore lint/suspicious/noExplicitAny: the runtime treats data as opaque JSON
export type AnySagaDefinition = SagaDefinition<any, string, EventMap, string>;

const statePattern = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Defines a saga; mistakes (unknown states or events, events sharing a message type) are ConfigurationErrors naming the part. */
export function defineSaga<D, const S extends string, E extends EventMap, const C extends string = never>(
  spec: SagaSpec<D, S, E, C>,
): SagaDefinition<D, S, E, C> {
  const where = `Saga "${spec.name}"`;
  for (const [index, state] of spec.states.entries()) {
    if (spec.states.indexOf(state) !== index) {
      throw new ConfigurationError(`${where}: state "${state}" is declared twice`);
    }
    if (!statePattern.test(state)) {
      throw new ConfigurationError(
        `${where}: state "${state}" must be a letter followed by letters, digits or "_"`,
      );
    }
    if (state === initialState || state === finalState) {
      throw new ConfigurationError(
        `${where}: "${state}" is reserved; the runtime provides the ${state} state`,
      );
    }
  }
  const events = Object.fromEntries(
    Object.entries(spec.events).map(([name, each]) => [name, { ...each, name }]),
  ) as SagaDefinition<D, S, E, C>['events'];
  const composites = (spec.composites ?? {}) as Record<C, readonly string[]>;
  const builder = behaviourBuilder<D, S, E, C>();
  const definition: SagaDefinition<D, S, E, C> = {
    name: spec.name,
    states: [...spec.states],
    initialData: spec.initialData,
    events,
    composites,
    keys: spec.keys ?? {},
    removeWhenFinalized: spec.removeWhenFinalized ?? false,
    settledStates: [...(spec.settledStates ?? [])],
    behaviours: spec.behaviour(builder),
  };
  for (const state of definition.settledStates) {
    if (!definition.states.includes(state)) {
      throw new ConfigurationError(
        `Saga "${spec.name}" lists "${state}" in settledStates, which is not one of its states (${definition.states.join(', ')})`,
      );
    }
  }
  checkDefinition(definition as unknown as AnySagaDefinition);
  return definition;
}

function behaviourBuilder<D, S extends string, E extends EventMap, C extends string>(): BehaviourBuilder<
  D,
  S,
  E,
  C
> {
  return {
    initially: (...clauses) => ({ kind: 'clauses', scope: { kind: 'initially' }, clauses }),
    during: (states, ...clauses) => ({
      kind: 'clauses',
      scope: { kind: 'during', states: typeof states === 'string' ? [states] : [...states] },
      clauses,
    }),
    duringAny: (...clauses) => ({ kind: 'clauses', scope: { kind: 'duringAny' }, clauses }),
    finally: (build) => ({
      kind: 'finally',
      activities: build(new ActivityChain()).activities as readonly Activity[],
    }),
    when: (name, build) => ({
      event: name,
      activities: build(new ActivityChain()).activities as readonly Activity[],
    }),
  };
}

function checkDefinition(definition: AnySagaDefinition): void {
  const where = `Saga "${definition.name}"`;
  const states = new Set<string>(definition.states);
  const eventNames = new Set(Object.keys(definition.events));
  const compositeNames = new Set(Object.keys(definition.composites));
  const byType = new Map<string, string>();
  for (const each of Object.values(definition.events)) {
    const other = byType.get(each.messageType.urn);
    if (other) {
      throw new ConfigurationError(
        `${where}: events "${other}" and "${each.name}" both use ${each.messageType.name}; a message type can be one event per saga`,
      );
    }
    byType.set(each.messageType.urn, each.name);
  }
  for (const [name, parts] of Object.entries(definition.composites)) {
    if (eventNames.has(name)) {
      throw new ConfigurationError(`${where}: composite "${name}" has the name of a declared event`);
    }
    if (parts.length < 2) {
      throw new ConfigurationError(
        `${where}: composite "${name}" needs at least two events, got ${parts.length}`,
      );
    }
    for (const [index, part] of parts.entries()) {
      if (parts.indexOf(part) !== index) {
        throw new ConfigurationError(`${where}: composite "${name}" lists "${part}" twice`);
      }
      if (!eventNames.has(part)) {
        throw new ConfigurationError(
          `${where}: composite "${name}" lists "${part}", which is not a declared event`,
        );
      }
    }
  }
  const checkActivities = (activities: readonly Activity[], path: string) => {
    for (const activity of activities) {
      if (activity.kind === 'transitionTo' && !states.has(activity.state)) {
        throw new ConfigurationError(
          `${where}: ${path} transitions to "${activity.state}", which is not a declared state (declared: ${[...states].join(', ')})`,
        );
      }
      if (
        (activity.kind === 'schedule' || activity.kind === 'unschedule') &&
        !eventNames.has(activity.event)
      ) {
        throw new ConfigurationError(
          `${where}: ${path} schedules "${activity.event}", which is not a declared event`,
        );
      }
      if (activity.kind === 'schedule' && typeof activity.at !== 'function' && !(activity.at.afterMs >= 0)) {
        throw new ConfigurationError(
          `${where}: ${path} schedules "${activity.event}" with afterMs ${activity.at.afterMs}; use a number ≥ 0`,
        );
      }
      if (activity.kind === 'if') {
        checkActivities(activity.whenTrue, path);
        checkActivities(activity.whenFalse, path);
      }
    }
  };
  let finallyCount = 0;
  for (const behaviour of definition.behaviours) {
    if (behaviour.kind === 'finally') {
      finallyCount += 1;
      checkActivities(behaviour.activities, 'finally');
      continue;
    }
    if (behaviour.scope.kind === 'during') {
      for (const state of behaviour.scope.states) {
        if (!states.has(state)) {
          throw new ConfigurationError(`${where}: during("${state}") names a state that is not declared`);
        }
      }
    }
    for (const clause of behaviour.clauses) {
      // An instance left in the initial state would be taken for a placeholder that only parks messages.
      if (behaviour.scope.kind === 'initially' && !leavesState(clause.activities)) {
        throw new ConfigurationError(
          `${where}: initially when("${clause.event}") must transitionTo a state or finalize on every path`,
        );
      }
      if (!eventNames.has(clause.event) && !compositeNames.has(clause.event)) {
        throw new ConfigurationError(`${where}: when("${clause.event}") names an event that is not declared`);
      }
      checkActivities(clause.activities, `when("${clause.event}")`);
    }
  }
  if (finallyCount > 1)
    throw new ConfigurationError(`${where}: finally is given ${finallyCount} times; give it once`);
}

/** True when every path through the activities ends with a transition or finalization. */
function leavesState(activities: readonly Activity[]): boolean {
  return activities.some(
    (activity) =>
      activity.kind === 'transitionTo' ||
      activity.kind === 'finalize' ||
      (activity.kind === 'if' && leavesState(activity.whenTrue) && leavesState(activity.whenFalse)),
  );
}
