import { defineMessage } from '@switchyard/bus';
import { z } from 'zod';

/**
 * A unit of work: compare one settled group of one run. Work items travel on the bus, so any number of
 * comparers (competing consumers on RabbitMQ across machines, or on PostgreSQL) share a run; a work item
 * handled twice records each result once, since the store keeps one result per group and reconciler.
 */
export const CompareGroup = defineMessage(
  'switchyard.regression.CompareGroup',
  z.object({
    run: z.string().min(1),
    groupKey: z.string().min(1),
    /** Why the group counts as settled: complete, quiet or max-wait. */
    settled: z.enum(['complete', 'quiet', 'max-wait']),
  }),
);

/** The endpoint comparers consume work from unless told otherwise. */
export const defaultComparisonEndpoint = 'switchyard.regression.compare';
