import { ConfigurationError } from '@switchyard/bus';
import { defineModule, type ModuleDefinition } from '@switchyard/host';
import { loadMigrations } from '@switchyard/postgres';
import { sagaEndpoint } from '@switchyard/saga';
import { seedDemoMembers } from './demo-members.ts';
import { membershipCommandsEndpoint } from './membership-commands-endpoint.ts';
import { renewalEndpoint } from './membership-messages.ts';
import { membershipRoutes } from './membership-routes.ts';
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
