import type { StandardSchemaV1 } from '@standard-schema/spec';
import { entityNameFromUrn, type MessageType } from '../contracts/message-type.ts';
import type { HostInfo } from '../envelope/envelope.ts';
import { bounded, redactSecrets } from '../redact-secrets.ts';

/** One error in a fault, in MassTransit's `ExceptionInfo` shape. */
export interface ExceptionInfo {
  readonly exceptionType: string;
  readonly message: string;
  readonly stackTrace?: string | undefined;
  readonly source?: string | undefined;
  readonly innerException?: ExceptionInfo | undefined;
}

/** Published (or sent to the fault address) when a message ends in the error queue: MassTransit's `Fault<T>`. */
export interface Fault<T = unknown> {
  readonly faultId: string;
  readonly faultedMessageId: string;
  readonly timestamp: string;
  readonly exceptions: readonly ExceptionInfo[];
  readonly host: HostInfo;
  readonly faultMessageTypes: readonly string[];
  readonly message: T;
}

const faultTypes = new WeakMap<MessageType<unknown>, MessageType<Fault<unknown>>>();

/**
 * The message type of faults of `type`, with MassTransit's URN `urn:message:MassTransit:Fault[[Ns:Type]]`
 * so that .NET services and Switchyard services see each other's faults. Subscribe to it like any type.
 */
export function faultOf<T>(type: MessageType<T>): MessageType<Fault<T>> {
  const known = faultTypes.get(type as MessageType<unknown>);
  if (known) return known as MessageType<Fault<T>>;
  const urn = `urn:message:MassTransit:Fault[[${entityNameFromUrn(type.urn)}]]`;
  const faultType: MessageType<Fault<T>> = Object.freeze({
    name: `MassTransit.Fault[${type.name}]`,
    urn,
    entityName: `MassTransit:Fault--${entityNameFromUrn(type.urn)}--`,
    schema: faultSchema(type),
    // MassTransit lists the non-generic Fault too, so its consumers of any fault see ours.
    alsoUrns: ['urn:message:MassTransit:Fault'],
  });
  faultTypes.set(type as MessageType<unknown>, faultType as MessageType<Fault<unknown>>);
  return faultType;
}

/** Describes an error as a fault does, following `cause` as the inner exception. */
export function exceptionInfo(error: unknown, depth = 0): ExceptionInfo {
  if (!(error instanceof Error)) return { exceptionType: typeof error, message: String(error) };
  const inner = error.cause !== undefined && depth < 5 ? exceptionInfo(error.cause, depth + 1) : undefined;
  return {
    // Subclasses that do not set `name` still report as "Error"; their constructor's name says more.
    exceptionType: error.name && error.name !== 'Error' ? error.name : error.constructor.name || 'Error',
    // Both travel into error-queue headers and Fault events, where any reader of the broker sees them:
    // a driver's message may quote a connection string, so what can hold a secret is hidden first.
    message: bounded(redactSecrets(error.message)),
    stackTrace: error.stack === undefined ? undefined : bounded(redactSecrets(error.stack), 8_000),
    source: 'switchyard',
    ...(inner ? { innerException: inner } : {}),
  };
}

/** A Standard Schema for faults: the fault's own fields by hand, the faulted message by its type's schema. */
function faultSchema<T>(type: MessageType<T>): StandardSchemaV1<unknown, Fault<T>> {
  return {
    '~standard': {
      version: 1,
      vendor: 'switchyard',
      validate(value: unknown) {
        const issues: StandardSchemaV1.Issue[] = [];
        if (typeof value !== 'object' || value === null)
          return { issues: [{ message: 'expected a fault object' }] };
        const fault = value as Record<string, unknown>;
        for (const field of ['faultId', 'faultedMessageId', 'timestamp']) {
          if (typeof fault[field] !== 'string') issues.push({ message: 'expected a string', path: [field] });
        }
        if (!Array.isArray(fault.exceptions))
          issues.push({ message: 'expected an array', path: ['exceptions'] });
        if (issues.length > 0) return { issues };
        const inner = type.schema['~standard'].validate(fault.message);
        const finish = (result: StandardSchemaV1.Result<T>): StandardSchemaV1.Result<Fault<T>> =>
          result.issues
            ? {
                issues: result.issues.map((issue) => ({
                  ...issue,
                  path: ['message', ...(issue.path ?? [])],
                })),
              }
            : {
                value: {
                  ...(fault as unknown as Fault<T>),
                  host: (fault.host as HostInfo | undefined) ?? {},
                  faultMessageTypes: (fault.faultMessageTypes as string[] | undefined) ?? [],
                  message: result.value,
                },
              };
        return inner instanceof Promise ? inner.then(finish) : finish(inner);
      },
    },
  };
}
