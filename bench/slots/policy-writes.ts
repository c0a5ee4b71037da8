import { ManagementClient } from '@switchyard/rabbitmq';
import { monotonicMs } from './monotonic-clock.ts';

/** A policy PUT the reconciler sent: on which exchange, naming which alternate exchange, and when. */
export interface PolicyWrite {
  readonly exchange: string;
  readonly alternateExchange: string;
  readonly sentAt: number;
  readonly answeredAt: number;
}

/**
 * The management client the benchmark's reconciler uses: the same calls, with each policy write
 * timed, so a switch can be measured from the moment the broker was told as well as from the call.
 */
export class PolicyTimingManagementClient extends ManagementClient {
  readonly writes: PolicyWrite[] = [];

  override async request<T>(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    if (method !== 'PUT' || !path.startsWith('/api/policies/')) return super.request<T>(method, path, body);
    const sentAt = monotonicMs();
    const answer = await super.request<T>(method, path, body);
    const policy = body as { pattern: string; definition: { 'alternate-exchange': string } };
    this.writes.push({
      // The pattern is the exchange's name, anchored and escaped.
      exchange: policy.pattern.replace(/^\^|\$$/g, '').replace(/\\(.)/g, '$1'),
      alternateExchange: policy.definition['alternate-exchange'],
      sentAt,
      answeredAt: monotonicMs(),
    });
    return answer;
  }
}
