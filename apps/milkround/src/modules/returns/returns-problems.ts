import { type ProblemError, problem, problemType } from '@switchyard/host';
import type { ComplaintStatus } from './complaint-status.ts';

/** The returns module's codes, each listed in docs/errors.md. */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    COMPLAINT_ID_REUSED: '@switchyard/milkround';
    COMPLAINT_NOT_FOUND: '@switchyard/milkround';
  }
}

/** The kinds of problem the returns routes answer with. */
export const returnsProblems = {
  complaintNotFound: problemType('COMPLAINT_NOT_FOUND', 404),
  complaintIdReused: problemType('COMPLAINT_ID_REUSED', 409),
} as const;

/** No complaint has this id (or not yet: a complaint shows a moment after it is filed). */
export function unknownComplaint(complaintId: string): ProblemError {
  return problem(
    returnsProblems.complaintNotFound,
    'Complaint not found',
    `There is no complaint ${complaintId}; check the id returned when it was filed, or ask again in a moment if it was filed just now`,
  );
}

/** A complaint id filed before for a different complaint (`filed`). */
export function complaintIdReused(filed: ComplaintStatus): ProblemError {
  return problem(
    returnsProblems.complaintIdReused,
    'Complaint id already used',
    `Complaint id "${filed.complaintId}" was used already, for a different complaint: by customer "${filed.customerId}" about ${filed.quantity} × ${filed.sku} of delivery "${filed.deliveryId}"; send exactly that complaint again to get its answer, or choose a new complaintId for a different complaint`,
  );
}
