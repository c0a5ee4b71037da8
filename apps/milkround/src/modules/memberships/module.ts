import { ConfigurationError, receiveEndpoint } from '@switchyard/bus';
import { defineModule, type ModuleDefinition } from '@switchyard/host';
import { loadMigrations } from '@switchyard/postgres';
import { sagaEndpoint } from '@switchyard/saga';
import { recordFailuresOf, stringField } from '../../shared/command-failures.ts';
import { MemberJoined } from './contracts.ts';
import { seedDemoMembers } from './demo-members.ts';
import { membershipCommandsEndpoint } from './membership-commands-endpoint.ts';
import { RenewalPeriodStarted, renewalEndpoint } from './membership-messages.ts';
import { joinAnnouncementFailure, membershipRoutes, renewalFailure } from './membership-routes.ts';
import { renewalSaga } from './renewal-saga.ts';

const migrations = await loadMigrations(new URL('./migrations/', import.meta.url));

const dayMs = 24 * 60 * 60 * 1000;

/** How long memberships run and how long a lapsed one may still be renewed. */
export interface MembershipsOptions {
  /** One paid period (default 30 days). */
  readonly periodMs?: number;
  /** After an unpaid period end, how long the member may still renew before the membership lapses (default 7 days). */
  readonly graceMs?: number;
}

/**
 * Memberships: customers join on a plan (which sets their discount), pause, resume, cancel and renew;
 * a renewal saga per membership moves an unpaid one into grace and then ends it.
 */
export function membershipsModule(options: MembershipsOptions = {}): ModuleDefinition {
  const periodMs = positiveDuration('periodMs', options.periodMs ?? 30 * dayMs);
  const graceMs = positiveDuration('graceMs', options.graceMs ?? 7 * dayMs);
  return defineModule({
    name: 'memberships',
    migrations,
    endpoints: (services) => [
      membershipCommandsEndpoint(services, { periodMs }),
      sagaEndpoint(renewalSaga({ graceMs }), {
        ...services.sagaEndpointOptions,
        endpointName: renewalEndpoint,
      }),
      // POST /memberships answers 201 before the renewal saga and the other modules take the join:
      // when one of them fails for good, the membership shows it.
      receiveEndpoint('memberships-failures', {
        consumers: [
          recordFailuresOf(RenewalPeriodStarted, {
            sql: services.sql,
            schema: services.schema,
            kind: renewalFailure,
            failingEndpoint: renewalEndpoint,
            subjectOf: (period) => {
              const customerId = stringField(period, 'customerId');
              const membershipId = stringField(period, 'membershipId');
              return customerId === undefined || membershipId === undefined
                ? undefined
                : { resourceId: customerId, commandId: membershipId };
            },
          }),
          recordFailuresOf(MemberJoined, {
            sql: services.sql,
            schema: services.schema,
            kind: joinAnnouncementFailure,
            // Published: the Fault's source names the module that failed; this is only a fallback.
            failingEndpoint: 'orders',
            subjectOf: (joined) => {
              const customerId = stringField(joined, 'customerId');
              const joinedAt = stringField(joined, 'joinedAt');
              // MemberJoined carries no membership id: the join's time tells this membership from a later one.
              return customerId === undefined || joinedAt === undefined
                ? undefined
                : { resourceId: customerId, commandId: joinedAt };
            },
          }),
        ],
      }),
    ],
    routes: (services) => membershipRoutes(services),
    seed: (services) => seedDemoMembers(services),
  });
}

function positiveDuration(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(
      `membershipsModule option ${name} must be a positive number of milliseconds, got ${String(value)}`,
    );
  }
  return value;
}
