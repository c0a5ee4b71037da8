import type { Activity, ActivityContext } from '../definition/activities.ts';
import { finalState, initialState } from '../definition/define-saga.ts';
import type { SagaRules, Unit } from './unit-of-work.ts';

/** Runs the behaviour of `event` in the instance's current state and records the transition. */
export function applyEvent(
  rules: SagaRules,
  unit: Unit,
  event: string,
  message: unknown,
  messageId: string,
): void {
  const { instance } = unit;
  const from = instance.state;
  unit.changed = true;
  for (const activities of rules.clauses.clausesFor(from, event) ?? []) {
    runActivities(rules, unit, activities, message, messageId);
  }
  unit.transitions.push({
    sagaType: rules.definition.name,
    sagaId: instance.id,
    from: from === initialState ? undefined : from,
    to: instance.state,
    event,
    messageId,
    at: unit.now,
  });
  if (instance.state === finalState && from !== finalState) {
    runActivities(rules, unit, rules.clauses.finallyActivities, undefined, messageId);
  }
}

/**
 * Raises the first composite event whose parts have all been applied and that the current state
 * accepts, once per instance. Returns true when it raised one.
 */
export function raiseComposite(rules: SagaRules, unit: Unit): boolean {
  const { instance } = unit;
  for (const [composite, parts] of Object.entries(rules.definition.composites)) {
    if (instance.bookkeeping.raised.includes(composite)) continue;
    const seen = instance.bookkeeping.composites[composite] ?? [];
    if (!parts.every((part) => seen.includes(part))) continue;
    if (!rules.clauses.accepts(instance.state, composite)) continue;
    instance.bookkeeping.raised.push(composite);
    delete instance.bookkeeping.composites[composite];
    applyEvent(rules, unit, composite, undefined, unit.messageId);
    return true;
  }
  return false;
}

/** Interprets activities in order: data changes and transitions on the instance, messages as effects. */
function runActivities(
  rules: SagaRules,
  unit: Unit,
  activities: readonly Activity[],
  message: unknown,
  messageId: string,
): void {
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
        const event = rules.definition.events[activity.event];
        if (!event) break;
        const dueAt =
          typeof activity.at === 'function'
            ? activity.at(context)
            : new Date(unit.now.getTime() + activity.at.afterMs);
        const previous = instance.bookkeeping.timeouts[activity.event];
        if (previous !== undefined) unit.effects.push({ kind: 'unschedule', token: previous });
        const token = rules.newId();
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
        runActivities(
          rules,
          unit,
          activity.condition(context) ? activity.whenTrue : activity.whenFalse,
          message,
          messageId,
        );
        break;
    }
  }
}
