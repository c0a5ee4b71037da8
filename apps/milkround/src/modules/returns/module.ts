import { ConfigurationError } from '@switchyard/bus';
import { defineModule, type ModuleDefinition } from '@switchyard/host';
import { sagaEndpoint } from '@switchyard/saga';
import { complaintSaga } from './complaint-saga.ts';
import { returnsRoutes } from './returns-routes.ts';

/** Options of the returns module. */
export interface ReturnsOptions {
  /** How long billing has to answer a refund request before the complaint escalates (default 1 day). */
  readonly refundAnswerTimeoutMs?: number;
}

const oneDayMs = 24 * 60 * 60 * 1000;
const complaintsEndpoint = 'returns-complaints';

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
    endpoints: (services) => [
      sagaEndpoint(saga, { ...services.sagaEndpointOptions, endpointName: complaintsEndpoint }),
    ],
    routes: (services) => returnsRoutes(services, saga, `queue:${complaintsEndpoint}`),
  });
}
