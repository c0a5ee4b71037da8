import type { StandardSchemaV1 } from '@standard-schema/spec';
import { defineMessage } from '@switchyard/bus';

/** What the saga runtime schedules to itself when a message is held with a time limit. */
export interface HeldMessageExpired {
  readonly sagaType: string;
  readonly sagaId: string;
  readonly heldMessageId: string;
}

const fields = ['sagaType', 'sagaId', 'heldMessageId'] as const;

/** Checked by hand: the saga runtime has no schema library of its own. */
const schema: StandardSchemaV1<unknown, HeldMessageExpired> = {
  '~standard': {
    version: 1,
    vendor: 'switchyard',
    validate(value: unknown) {
      if (typeof value !== 'object' || value === null) return { issues: [{ message: 'expected an object' }] };
      const record = value as Record<string, unknown>;
      const issues = fields
        .filter((field) => typeof record[field] !== 'string' || record[field] === '')
        .map((field) => ({ message: 'expected a non-empty string', path: [field] }));
      return issues.length > 0 ? { issues } : { value: value as HeldMessageExpired };
    },
  },
};

/** The runtime's own message type for held-message time limits. */
export const HeldMessageExpiredType = defineMessage('switchyard.saga.HeldMessageExpired', schema);
