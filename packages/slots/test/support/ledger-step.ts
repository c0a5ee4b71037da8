import { defineMessage } from '@switchyard/bus';
import { z } from 'zod';

/** One step of a test conversation: the worker records it, then sends the next until `last`. */
export const LedgerStep = defineMessage(
  'slots.test.LedgerStep',
  z.object({ conversation: z.string(), step: z.number().int(), last: z.number().int(), sentAt: z.number() }),
);
