import type { ManagementClient } from '@switchyard/rabbitmq';
import type { RoutingBinding } from '../topology/wanted-routing.ts';

/** An exchange as the broker has it, with the policy that applies to it now. */
export interface LiveRoutingExchange {
  readonly type: string;
  /** The name of the policy in effect on it, if any (one applies per exchange). */
  readonly policy: string | undefined;
}

/** A queue's depth and consumers (the management API's figures, refreshed every few seconds). */
export interface LiveQueueState {
  readonly messages: number;
  readonly unacknowledged: number;
  readonly consumers: number;
}

/** A binding as the broker has it; `propertiesKey` names it for deletion. */
export interface LiveRoutingBinding extends RoutingBinding {
  readonly propertiesKey: string;
}

/** A policy as the broker has it. */
export interface LiveRoutingPolicy {
  readonly pattern: string;
  readonly applyTo: string;
  readonly priority: number;
  readonly alternateExchange: string | undefined;
}

/** What the broker holds that the slots' routing reads, in one vhost. */
export interface LiveRouting {
  readonly exchanges: ReadonlyMap<string, LiveRoutingExchange>;
  readonly queues: ReadonlyMap<string, LiveQueueState>;
  readonly bindings: readonly LiveRoutingBinding[];
  readonly policies: ReadonlyMap<string, LiveRoutingPolicy>;
}

interface ApiExchange {
  readonly name: string;
  readonly type: string;
  readonly policy?: string | null;
}

interface ApiQueue {
  readonly name: string;
  readonly messages?: number;
  readonly messages_unacknowledged?: number;
  readonly consumers?: number;
}

interface ApiBinding {
  readonly source: string;
  readonly destination: string;
  readonly destination_type: 'exchange' | 'queue';
  readonly arguments: Record<string, unknown>;
  readonly properties_key: string;
}

interface ApiPolicy {
  readonly name: string;
  readonly pattern: string;
  readonly 'apply-to': string;
  readonly priority: number;
  readonly definition: Record<string, unknown>;
}

/** Reads exchanges, queues, bindings and policies of the management client's vhost, all at once. */
export async function readLiveRouting(management: ManagementClient): Promise<LiveRouting> {
  const vhost = management.vhostPath;
  const [exchanges, queues, bindings, policies] = await Promise.all([
    management.request<ApiExchange[]>('GET', `/api/exchanges/${vhost}`),
    management.request<ApiQueue[]>('GET', `/api/queues/${vhost}`),
    management.request<ApiBinding[]>('GET', `/api/bindings/${vhost}`),
    management.request<ApiPolicy[]>('GET', `/api/policies/${vhost}`),
  ]);
  return {
    exchanges: new Map(
      exchanges.map((each) => [each.name, { type: each.type, policy: each.policy ?? undefined }]),
    ),
    queues: new Map(
      queues.map((each) => [
        each.name,
        {
          messages: each.messages ?? 0,
          unacknowledged: each.messages_unacknowledged ?? 0,
          consumers: each.consumers ?? 0,
        },
      ]),
    ),
    // The default exchange's implicit bindings are the broker's, not routing anyone manages.
    bindings: bindings
      .filter((each) => each.source !== '')
      .map((each) => ({
        source: each.source,
        destination: each.destination,
        destinationType: each.destination_type,
        arguments: stringArguments(each.arguments),
        propertiesKey: each.properties_key,
      })),
    policies: new Map(
      policies.map((each) => [
        each.name,
        {
          pattern: each.pattern,
          applyTo: each['apply-to'],
          priority: each.priority,
          alternateExchange:
            typeof each.definition['alternate-exchange'] === 'string'
              ? each.definition['alternate-exchange']
              : undefined,
        },
      ]),
    ),
  };
}

function stringArguments(table: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(table ?? {})) result[name] = String(value);
  return result;
}

/** One key per binding: source, destination and arguments (a headers binding differs by them alone). */
export function bindingIdentity(binding: RoutingBinding): string {
  const args = Object.keys(binding.arguments)
    .sort()
    .map((name) => `${name}=${binding.arguments[name]}`)
    .join('&');
  return `${binding.source}\u0000${binding.destinationType}\u0000${binding.destination}\u0000${args}`;
}
