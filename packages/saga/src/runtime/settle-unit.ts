import type { SagaStore } from '@switchyard/bus';
import { finalState, initialState } from '../definition/define-saga.ts';
import { raiseComposite } from './activity-interpreter.ts';
import { absorbPlaceholders, keysOf } from './correlation.ts';
import { replayOneHeld } from './delivery-policy.ts';
import { finishInstance, rescheduleAdoptedExpiries } from './held-messages.ts';
import { recordFromInstance } from './saga-instance.ts';
import type { SagaRules, Unit } from './unit-of-work.ts';

/** Guards against definitions whose held messages keep each other alive forever. */
const maxSettleRounds = 1_000;

/**
 * Brings the instance to rest: takes over parked messages of placeholders whose keys it now holds,
 * raises composites, replays held messages its state now accepts, then saves it and its transitions.
 */
export async function settleAndSave<Tx>(
  rules: SagaRules,
  store: SagaStore<Tx>,
  tx: Tx,
  unit: Unit,
): Promise<void> {
  const { definition } = rules;
  const { instance } = unit;
  let keys = keysOf(definition, instance);
  for (let round = 0; round < maxSettleRounds; round += 1) {
    const absorbed = await absorbPlaceholders(definition, store, tx, unit, keys);
    const progressed = absorbed || raiseComposite(rules, unit) || replayOneHeld(rules, unit);
    keys = keysOf(definition, instance);
    if (!progressed) break;
  }
  if (instance.state === finalState) finishInstance(rules, unit);
  rescheduleAdoptedExpiries(rules, unit);
  if (instance.bookkeeping.startedIn !== undefined)
    instance.bookkeeping.settled = (definition.settledStates as readonly string[]).includes(instance.state);
  const record = recordFromInstance(definition.name, instance, keys);
  // A placeholder is an instance in the initial state that only held parked messages; without them it goes.
  const placeholderEmptied =
    instance.state === initialState &&
    instance.bookkeeping.held.length === 0 &&
    unit.transitions.length === 0;
  const removed = placeholderEmptied || (instance.state === finalState && definition.removeWhenFinalized);
  if (removed) {
    if (instance.version > 0) await store.remove(tx, definition.name, instance.id, instance.version);
  } else if (instance.version === 0) {
    await store.insert(tx, record);
  } else {
    await store.update(tx, record);
  }
  for (const transition of unit.transitions) await store.recordTransition(tx, transition);
}
