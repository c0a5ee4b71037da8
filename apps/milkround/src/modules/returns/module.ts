import { ConfigurationError, receiveEndpoint } from '@switchyard/bus';
import { defineModule, type ModuleDefinition } from '@switchyard/host';
import { loadMigrations } from '@switchyard/postgres';
import { sagaEndpoint } from '@switchyard/saga';
import { recordFailuresOf, stringField } from '../../shared/command-failures.ts';
import { FileComplaint } from './complaint-messages.ts';
import { complaintSaga } from './complaint-saga.ts';
import { complaintFailure, returnsRoutes } from './returns-routes.ts';

/** Options of the returns module. */
export interface ReturnsOptions {
  /** How long billing has to answer a refund request before the complaint escalates (default 1 day). */
  readonly refundAnswerTimeoutMs?: number;
}

const migrations = await loadMigrations(new URL('./migrations/', import.meta.url));

const oneDayMs = 24 * 60 * 60 * 1000;
const complaintsEndpoint = 'returns-complaints';
/** Hears the Faults of complaints the saga could not take, so that their status shows them. */
const failuresEndpoint = 'returns-failures';

/**
 * Returns: customers' complaints about delivered items, each a saga that asks billing for a refund and
 * escalates when billing does not answer, and empty bottles handed back for their deposit.
 */
export function returnsModule(options: ReturnsOptions = {}): ModuleDefinition {
  const refundAnswerTimeoutMs = options.refundAnswerTimeoutMs ?? oneDayMs;
  if (!Number.isFinite(refundAnswerTimeoutMs) || refundAnswerTimeoutMs <= 0) {
    throw new ConfigurationError(
      `returnsModule refundAnswerTimeoutMs must be a positive number of milliseconds, got ${refundAnswerTimeoutMs}`,
    );
  }
  const saga = complaintSaga({ refundAnswerTimeoutMs });
  return defineModule({
    name: 'returns',
    migrations,
    endpoints: (services) => [
      sagaEndpoint(saga, { ...services.sagaEndpointOptions, endpointName: complaintsEndpoint }),
      receiveEndpoint(failuresEndpoint, {
        consumers: [
          recordFailuresOf(FileComplaint, {
            sql: services.sql,
            schema: services.schema,
            kind: complaintFailure,
            failingEndpoint: complaintsEndpoint,
            subjectOf: (complaint) => {
              const complaintId = stringField(complaint, 'complaintId');
              return complaintId === undefined
                ? undefined
                : { resourceId: complaintId, commandId: complaintId };
            },
          }),
        ],
      }),
    ],
    routes: (services) => returnsRoutes(services, saga, `queue:${complaintsEndpoint}`),
  });
}
