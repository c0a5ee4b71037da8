import type { ModuleServices } from '@switchyard/host';
import { MemberRepository } from './member-repository.ts';
import type { JoinRequest } from './membership-lifecycle.ts';
import { JoinMembership } from './membership-messages.ts';
import { ask } from './membership-requests.ts';

/** The demo customers; the orders module's demo data orders for the same ids. */
export const demoMembers: readonly JoinRequest[] = [
  { customerId: 'demo-ada', name: 'Ada Lovelace', region: 'UK', postcode: 'SW1A 1AA', plan: 'plus' },
  { customerId: 'demo-alan', name: 'Alan Turing', region: 'UK', postcode: 'M1 1AE', plan: 'basic' },
  { customerId: 'demo-grace', name: 'Grace Hopper', region: 'US', postcode: '10001', plan: 'family' },
];

/**
 * Joins each demo customer who has no membership yet, through the same command as POST /memberships, so
 * the other modules hear MemberJoined and the renewal saga starts. Customers present are left alone.
 */
export async function seedDemoMembers(services: ModuleServices): Promise<void> {
  const members = new MemberRepository(services.schema);
  for (const demo of demoMembers) {
    if (await members.find(services.sql, demo.customerId)) continue;
    await ask(services, JoinMembership, demo);
    services.logger.info({ customerId: demo.customerId, plan: demo.plan }, 'Demo member joined');
  }
}
