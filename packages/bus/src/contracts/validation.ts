import type { StandardSchemaV1 } from '@standard-schema/spec';
import { SwitchyardError } from '../errors.ts';
import type { MessageType } from './message-type.ts';

/** One rule a message broke, at a path such as `lines[0].quantity`. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** A message did not satisfy its schema. Never retried: the same input fails the same way. */
export class MessageValidationError extends SwitchyardError {
  readonly messageType: string;
  readonly issues: readonly ValidationIssue[];

  constructor(messageType: string, issues: readonly ValidationIssue[]) {
    const described = issues.map((issue) => `at "${issue.path}": ${issue.message}`).join('; ');
    super('MESSAGE_VALIDATION', `Message type "${messageType}" failed validation ${described}`);
    this.messageType = messageType;
    this.issues = issues;
  }
}

/** Validates `value` against the message type's schema and returns the schema's output, or throws. */
export async function validateMessage<T>(type: MessageType<T>, value: unknown): Promise<T> {
  return validateMessageNow(type, value);
}

/**
 * As `validateMessage`, but synchronous unless the schema is: the bus validates every message sent and
 * received, and most schemas need no promise (nor the turn of the event loop awaiting one costs).
 * Throws MessageValidationError, or returns a promise that rejects with it.
 */
export function validateMessageNow<T>(type: MessageType<T>, value: unknown): T | Promise<T> {
  const result = type.schema['~standard'].validate(value);
  if (result instanceof Promise) return result.then((settled) => outputOf(type, value, settled));
  return outputOf(type, value, result);
}

function outputOf<T>(type: MessageType<T>, value: unknown, result: StandardSchemaV1.Result<T>): T {
  if (result.issues) {
    throw new MessageValidationError(
      type.name,
      result.issues.map((issue) => ({ path: formatPath(issue.path), message: describeIssue(issue, value) })),
    );
  }
  return result.value;
}

function describeIssue(issue: StandardSchemaV1.Issue, root: unknown): string {
  const actual = valueAt(root, issue.path);
  return actual.found ? `${issue.message}, got ${preview(actual.value)}` : issue.message;
}

/** `['lines', 0, 'quantity']` → `lines[0].quantity`; the root is `(message)`. */
export function formatPath(path: StandardSchemaV1.Issue['path']): string {
  if (!path || path.length === 0) return '(message)';
  let text = '';
  for (const segment of path) {
    const key = typeof segment === 'object' ? segment.key : segment;
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

function valueAt(root: unknown, path: StandardSchemaV1.Issue['path']): { found: boolean; value?: unknown } {
  let current: unknown = root;
  for (const segment of path ?? []) {
    const key = typeof segment === 'object' ? segment.key : segment;
    if (current === null || typeof current !== 'object' || !(key in current)) return { found: false };
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: current };
}

function preview(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
