import { defineReconciler } from '@switchyard/regression';
import { MemberJoined } from './contracts.ts';

/**
 * The shadow regression's view of memberships: a member joins on the same plan, in the same region,
 * with the same discount. When they joined is the environment's clock, not behaviour.
 */
export const membershipReconciler = defineReconciler({
  name: 'memberships: joins',
  messages: [MemberJoined],
  compare: (baseline, candidate, t) =>
    t.diff(baseline.ofType(MemberJoined), candidate.ofType(MemberJoined), {
      ignore: ['[*].joinedAt'],
      messageType: MemberJoined.urn,
    }),
});
