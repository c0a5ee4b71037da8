import type { HeldMessage, HoldReason } from './saga-instance.ts';
import type { IncomingSagaMessage } from './saga-outcome.ts';
import type { SagaRules, Unit } from './unit-of-work.ts';

/** Keeps a message on the instance until it can be applied, with a time limit when the event sets one. */
export function holdMessage(
  rules: SagaRules,
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
    limitMs === undefined ? undefined : { limitMs, token: rules.newId() },
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

/** Sends a held message to the error queue with the reason, cancelling its expiry. */
export function expelHeld(rules: SagaRules, unit: Unit, held: HeldMessage, reason: string): void {
  const event = rules.definition.events[held.event];
  if (!event) return;
  if (held.expiryToken !== undefined) unit.effects.push({ kind: 'unschedule', token: held.expiryToken });
  unit.effects.push({ kind: 'expel', held, messageType: event.messageType, reason });
}

/** Expiries of messages taken over from a placeholder name the placeholder: move those still held here. */
export function rescheduleAdoptedExpiries(rules: SagaRules, unit: Unit): void {
  const held = unit.instance.bookkeeping.held;
  for (const [index, each] of held.entries()) {
    if (!unit.adopted.has(each.messageId) || each.expiryToken === undefined || each.expiresAt === undefined)
      continue;
    const expiryToken = rules.newId();
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

/** A finished instance cancels what it scheduled and sends what it still holds to the error queue. */
export function finishInstance(rules: SagaRules, unit: Unit): void {
  const bookkeeping = unit.instance.bookkeeping;
  for (const [event, token] of Object.entries(bookkeeping.timeouts)) {
    unit.effects.push({ kind: 'unschedule', token });
    delete bookkeeping.timeouts[event];
  }
  for (const held of bookkeeping.held.splice(0)) {
    expelHeld(
      rules,
      unit,
      held,
      `${rules.definition.name} saga ${unit.instance.id} finished before it could apply "${held.event}" (held as ${held.reason})`,
    );
  }
}

/** Why a held message whose time limit passed goes to the error queue. */
export function expiryReason(held: HeldMessage, sagaName: string): string {
  const what = `"${held.event}" (message ${held.messageId}, held since ${held.heldAt})`;
  if (held.reason === 'parked') return `No ${sagaName} saga appeared for ${what} before its park limit`;
  if (held.reason === 'gap')
    return `The messages before ${what} in its ${sagaName} sequence did not arrive before its gap limit`;
  return `The ${sagaName} saga did not reach a state accepting ${what} before its defer limit`;
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
