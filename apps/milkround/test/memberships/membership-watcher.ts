import { consumer, receiveEndpoint } from '@switchyard/bus';
import { defineModule, type ModuleDefinition } from '@switchyard/host';
import {
  MemberJoined,
  MembershipEnded,
  MembershipPaused,
  MembershipRenewed,
  MembershipResumed,
} from '../../src/modules/memberships/contracts.ts';

/** One event the watcher saw: its contract's short name and its message. */
export interface Seen {
  readonly type: string;
  readonly message: { readonly customerId: string } & Record<string, unknown>;
}

/** A module standing in for the others: it records every memberships event it hears. */
export function membershipWatcher(): {
  module: ModuleDefinition;
  seen: Seen[];
  of(customerId: string, type?: string): Seen[];
} {
  const seen: Seen[] = [];
  const record = (type: string) => (message: Seen['message']) => void seen.push({ type, message });
  const module = defineModule({
    name: 'membership_watcher',
    endpoints: () => [
      receiveEndpoint('membership_watcher', {
        consumers: [
          consumer(MemberJoined, record('MemberJoined')),
          consumer(MembershipPaused, record('MembershipPaused')),
          consumer(MembershipResumed, record('MembershipResumed')),
          consumer(MembershipEnded, record('MembershipEnded')),
          consumer(MembershipRenewed, record('MembershipRenewed')),
        ],
      }),
    ],
  });
  return {
    module,
    seen,
    of: (customerId, type) =>
      seen.filter(
        (each) => each.message.customerId === customerId && (type === undefined || each.type === type),
      ),
  };
}
