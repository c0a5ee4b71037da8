import { initialState } from '../definition/define-saga.ts';
import type { SagaEvent } from '../definition/saga-event.ts';
import { SagaCorrelationError, UnexpectedSagaEventError } from '../saga-errors.ts';
import { applyEvent } from './activity-interpreter.ts';
import { expelHeld, holdMessage } from './held-messages.ts';
import type { HeldMessage, SagaInstance } from './saga-instance.ts';
import type { IncomingSagaMessage } from './saga-outcome.ts';
import type { SagaRules, Unit } from './unit-of-work.ts';

/** What became of a delivered message; `refused` only for held messages whose event says `fault`. */
export type DeliveryResult =
  | 'applied'
  | 'held'
  | 'ignored'
  | 'duplicate'
  | 'waiting'
  | { readonly refused: string };

/**
 * Decides one message's fate on the unit's instance and carries it out: drop a duplicate of its
 * sequence, hold it for a gap, a missing instance or a state that does not accept it yet, ignore or
 * refuse it as its event says, or apply it. A held message being replayed (`origin: 'held'`) that still
 * cannot be applied answers `waiting` and stays where it is.
 */
export function deliverMessage(
  rules: SagaRules,
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
        `${rules.definition.name} event "${event.name}" (message ${incoming.messageId}) gave sequence number ${JSON.stringify(number)}; expected an integer`,
      );
    }
    if (number <= last) return 'duplicate';
    if (origin === 'incoming' && holdsSequence(rules, instance, event, number)) return 'duplicate';
    if (number > last + 1) {
      if (origin === 'held') return 'waiting';
      holdMessage(rules, unit, incoming, 'gap', sequence.gapLimitMs);
      return 'held';
    }
  }
  if (instance.state === initialState && !rules.clauses.accepts(initialState, event.name)) {
    // Only a message whose event says "park" gets here without an instance to apply to.
    if (origin === 'held') return 'waiting';
    holdMessage(rules, unit, incoming, 'parked', event.parkLimitMs);
    return 'held';
  }
  if (!rules.clauses.accepts(instance.state, event.name)) {
    const accepted = acceptingStates(rules, event.name);
    if (event.onUnexpected === 'defer') {
      if (origin === 'held') return 'waiting';
      holdMessage(rules, unit, incoming, 'deferred', event.deferLimitMs);
      return 'held';
    }
    if (event.onUnexpected === 'ignore') {
      advanceSequence(unit, event, number);
      return 'ignored';
    }
    const reason = `${rules.definition.name} saga ${instance.id} is in state "${instance.state}", which does not accept "${event.name}" (${event.messageType.name}); it is accepted in ${accepted}`;
    if (origin === 'incoming') throw new UnexpectedSagaEventError(reason);
    advanceSequence(unit, event, number);
    return { refused: reason };
  }
  advanceSequence(unit, event, number);
  applyEvent(rules, unit, event.name, incoming.message, incoming.messageId);
  for (const [composite, parts] of Object.entries(rules.definition.composites)) {
    if (!parts.includes(event.name) || bookkeeping.raised.includes(composite)) continue;
    const seen = bookkeeping.composites[composite] ?? [];
    if (!seen.includes(event.name)) bookkeeping.composites[composite] = [...seen, event.name];
  }
  return 'applied';
}

/** Replays the first held message that can now be applied (or dropped); false when none can. */
export function replayOneHeld(rules: SagaRules, unit: Unit): boolean {
  const held = unit.instance.bookkeeping.held;
  for (let index = 0; index < held.length; index += 1) {
    const each = held[index] as HeldMessage;
    const event = rules.definition.events[each.event];
    if (!event) continue;
    const result = deliverMessage(
      rules,
      unit,
      { event, message: each.message, messageId: each.messageId, correlationId: each.correlationId },
      'held',
    );
    if (result === 'waiting') continue;
    held.splice(held.indexOf(each), 1);
    if (typeof result === 'object') expelHeld(rules, unit, each, result.refused);
    else if (each.expiryToken !== undefined)
      unit.effects.push({ kind: 'unschedule', token: each.expiryToken });
    unit.changed = true;
    return true;
  }
  return false;
}

function advanceSequence(unit: Unit, event: SagaEvent, number: number | undefined): void {
  if (!event.sequence || number === undefined) return;
  unit.instance.bookkeeping.sequences[event.sequence.stream] = number;
  unit.changed = true;
}

/** True when the instance already holds the message with this number of the event's stream. */
function holdsSequence(rules: SagaRules, instance: SagaInstance, event: SagaEvent, number: number): boolean {
  const stream = event.sequence?.stream;
  return instance.bookkeeping.held.some((held) => {
    const heldEvent = rules.definition.events[held.event];
    return (
      heldEvent?.sequence?.stream === stream && heldEvent?.sequence?.number(held.message as never) === number
    );
  });
}

function acceptingStates(rules: SagaRules, event: string): string {
  const states = [initialState, ...rules.definition.states].filter((state) =>
    rules.clauses.accepts(state, event),
  );
  return states.length > 0 ? states.map((state) => `"${state}"`).join(', ') : 'no state';
}
