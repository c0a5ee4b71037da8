import type { SagaStore } from '@switchyard/bus';
import { type AnySagaDefinition, initialState } from '../definition/define-saga.ts';
import { SagaCorrelationError, SagaKeyConflictError } from '../saga-errors.ts';
import { emptyBookkeeping, instanceFromRecord, type SagaInstance } from './saga-instance.ts';
import type { IncomingSagaMessage } from './saga-outcome.ts';
import type { SagaRules, Unit } from './unit-of-work.ts';

/** How a message finds its instance. */
export type Lookup =
  | { readonly kind: 'id'; readonly value: string }
  | { readonly kind: 'key'; readonly key: string; readonly value: string };

/** Where the incoming message's event says to look for its instance; a missing or empty value is a correlation error. */
export function lookupOf(definition: AnySagaDefinition, incoming: IncomingSagaMessage): Lookup {
  const { event } = incoming;
  const correlation = event.correlation;
  const where = () =>
    `${definition.name} event "${event.name}" (${event.messageType.name}, message ${incoming.messageId})`;
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

/** The instance a lookup finds in the store, if any. */
export async function findInstance<Tx>(
  store: SagaStore<Tx>,
  tx: Tx,
  sagaType: string,
  lookup: Lookup,
): Promise<SagaInstance | undefined> {
  const record =
    lookup.kind === 'id'
      ? await store.load(tx, sagaType, lookup.value)
      : await store.findByKey(tx, sagaType, lookup.key, lookup.value);
  return record ? instanceFromRecord(record) : undefined;
}

/** A new instance in the initial state: with the lookup's id, or a new id and the lookup's key. */
export function newInstance(rules: SagaRules, lookup: Lookup): SagaInstance {
  const id = lookup.kind === 'id' ? lookup.value : rules.newId();
  return {
    id,
    state: initialState,
    data: rules.definition.initialData(),
    bookkeeping: emptyBookkeeping(),
    version: 0,
    storedKeys: {},
    addedKeys: lookup.kind === 'key' ? { [lookup.key]: lookup.value } : {},
  };
}

/** For error messages: `id "x"` or `key="x"`. */
export function describeLookup(lookup: Lookup): string {
  return lookup.kind === 'id' ? `id "${lookup.value}"` : `${lookup.key}="${lookup.value}"`;
}

/** Keys as stored, plus the ones the instance was found or started by, overridden by those its data gives. */
export function keysOf(definition: AnySagaDefinition, instance: SagaInstance): Record<string, string> {
  const keys: Record<string, string> = { ...instance.storedKeys, ...instance.addedKeys };
  if (instance.state === initialState) return keys;
  for (const [name, read] of Object.entries(definition.keys)) {
    const value = read(instance.data);
    if (typeof value === 'string' && value !== '') keys[name] = value;
  }
  return keys;
}

/**
 * For each key value the instance newly holds, a placeholder parked under it hands over its messages.
 * Returns true when it took over any; a key another live instance holds is a `SagaKeyConflictError`.
 */
export async function absorbPlaceholders<Tx>(
  definition: AnySagaDefinition,
  store: SagaStore<Tx>,
  tx: Tx,
  unit: Unit,
  keys: Record<string, string>,
): Promise<boolean> {
  const { instance } = unit;
  let absorbed = false;
  for (const [key, value] of Object.entries(keys)) {
    if (unit.checkedKeys[key] === value) continue;
    unit.checkedKeys[key] = value;
    const record = await store.findByKey(tx, definition.name, key, value);
    if (!record || record.id === instance.id) continue;
    if (record.state !== initialState) {
      throw new SagaKeyConflictError(
        `${definition.name} saga ${instance.id} would take ${key}="${value}", which saga ${record.id} (state "${record.state}") holds`,
      );
    }
    const placeholder = instanceFromRecord(record);
    await store.remove(tx, definition.name, placeholder.id, placeholder.version);
    instance.bookkeeping.held.push(...placeholder.bookkeeping.held);
    for (const held of placeholder.bookkeeping.held) unit.adopted.add(held.messageId);
    absorbed = placeholder.bookkeeping.held.length > 0 || absorbed;
  }
  return absorbed;
}
