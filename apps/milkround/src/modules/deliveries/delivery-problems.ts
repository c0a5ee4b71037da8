import { type ProblemError, problem, problemType } from '@switchyard/host';

/** The deliveries module's codes, each listed in docs/errors.md. */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    DELIVERY_NOT_FOUND: '@switchyard/milkround';
    DELIVERY_RUN_NOT_FOUND: '@switchyard/milkround';
  }
}

/** The kinds of problem the deliveries routes answer with. */
export const deliveryProblems = {
  notFound: problemType('DELIVERY_NOT_FOUND', 404),
  runNotFound: problemType('DELIVERY_RUN_NOT_FOUND', 404),
} as const;

/** No delivery has this id. */
export function unknownDelivery(deliveryId: string): ProblemError {
  return problem(
    deliveryProblems.notFound,
    'No such delivery',
    `No delivery has id "${deliveryId}"; a date's deliveries are listed by GET /deliveries/runs/{deliveryDate}`,
  );
}

/** No delivery run was started for this date. */
export function noRunForDate(deliveryDate: string): ProblemError {
  return problem(
    deliveryProblems.runNotFound,
    'No run for this date',
    `No delivery run has been started for ${deliveryDate}; start one with POST /deliveries/runs {"deliveryDate":"${deliveryDate}"}`,
  );
}
