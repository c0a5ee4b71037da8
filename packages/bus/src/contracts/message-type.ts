import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ConfigurationError } from '../errors.ts';

/**
 * A message contract: a stable name and the schema every instance must satisfy. Define each message
 * type once and share the value between senders and consumers.
 */
export interface MessageType<T = unknown> {
  /** Dotted name such as `milkround.orders.OrderPlaced`: namespace, then the type's own name. */
  readonly name: string;
  /** MassTransit-style message URN, `urn:message:<namespace>:<type>`, written in every envelope. */
  readonly urn: string;
  /** The name of the exchange (or topic) it is published to, `<namespace>:<type>` as MassTransit names it. */
  readonly entityName: string;
  /** Any Standard Schema (zod, valibot, arktype, ...) whose output type is the message type. */
  readonly schema: StandardSchemaV1<unknown, T>;
  /** Further URNs written after `urn` in the envelope, for types it also is (MassTransit's base interfaces). */
  readonly alsoUrns?: readonly string[];
}

/** The message type a `MessageType` value describes. */
export type MessageOf<M> = M extends MessageType<infer T> ? T : never;

/** Options for interop with existing .NET contracts whose names do not follow the dotted form. */
export interface DefineMessageOptions {
  /** Use this URN instead of the one derived from the name, e.g. `urn:message:Contracts:OrderSubmitted`. */
  readonly urn?: string;
}

const namePattern = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const urnPattern = /^urn:message:[^:\s]+(:[^:\s]+)?$/;

/** Defines a message type from a dotted name and a Standard Schema; its TypeScript type is the schema's output. */
export function defineMessage<S extends StandardSchemaV1>(
  name: string,
  schema: S,
  options: DefineMessageOptions = {},
): MessageType<StandardSchemaV1.InferOutput<S>> {
  if (!namePattern.test(name)) {
    throw new ConfigurationError(
      `Message type name "${name}" must be dotted identifiers with a namespace, such as "milkround.orders.OrderPlaced"`,
    );
  }
  if (!schema || typeof schema !== 'object' || !('~standard' in schema)) {
    throw new ConfigurationError(
      `Message type "${name}" needs a Standard Schema (for example a zod schema); got ${typeof schema}`,
    );
  }
  const urn = options.urn ?? urnFromName(name);
  if (!urnPattern.test(urn)) {
    throw new ConfigurationError(
      `Message type "${name}" has URN "${urn}", which is not of the form urn:message:Namespace:Type`,
    );
  }
  return Object.freeze({
    name,
    urn,
    entityName: entityNameFromUrn(urn),
    schema: schema as StandardSchemaV1<unknown, StandardSchemaV1.InferOutput<S>>,
  });
}

/** `milkround.orders.OrderPlaced` → `urn:message:milkround.orders:OrderPlaced`. */
export function urnFromName(name: string): string {
  const dot = name.lastIndexOf('.');
  return `urn:message:${name.slice(0, dot)}:${name.slice(dot + 1)}`;
}

/** `urn:message:Contracts:OrderSubmitted` → `Contracts:OrderSubmitted`, MassTransit's exchange name. */
export function entityNameFromUrn(urn: string): string {
  return urn.slice('urn:message:'.length);
}
