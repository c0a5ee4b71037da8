import { ProblemError, type ProblemType, problem, problemType } from '@switchyard/host';

/** The memberships module's codes, each listed in docs/errors.md. */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    MEMBERSHIP_ALREADY_PAUSED: '@switchyard/milkround';
    MEMBERSHIP_ENDED: '@switchyard/milkround';
    MEMBERSHIP_EXISTS: '@switchyard/milkround';
    MEMBERSHIP_NOT_FOUND: '@switchyard/milkround';
    MEMBERSHIP_NOT_PAUSED: '@switchyard/milkround';
    MEMBERSHIP_NO_ANSWER: '@switchyard/milkround';
    MEMBERSHIP_PLAN_UNKNOWN: '@switchyard/milkround';
  }
}

/** The kinds of problem the memberships routes answer with; all but `noAnswer` are the endpoint's refusals. */
export const membershipProblems = {
  planUnknown: problemType('MEMBERSHIP_PLAN_UNKNOWN', 400),
  notFound: problemType('MEMBERSHIP_NOT_FOUND', 404),
  exists: problemType('MEMBERSHIP_EXISTS', 409),
  ended: problemType('MEMBERSHIP_ENDED', 409),
  alreadyPaused: problemType('MEMBERSHIP_ALREADY_PAUSED', 409),
  notPaused: problemType('MEMBERSHIP_NOT_PAUSED', 409),
  noAnswer: problemType('MEMBERSHIP_NO_ANSWER', 503),
} as const;

/** The customer never joined. */
export function neverJoined(customerId: string): { readonly title: string; readonly detail: string } {
  return {
    title: 'Not a member',
    detail: `Customer "${customerId}" has never joined; join with POST /memberships first`,
  };
}

/** The customer never joined, as the route answers it. */
export function notAMember(customerId: string): ProblemError {
  const { title, detail } = neverJoined(customerId);
  return problem(membershipProblems.notFound, title, detail);
}

/** The memberships endpoint did not answer a request in time; it may still apply it. */
export function noAnswer(messageType: string, timeoutMs: number): ProblemError {
  return problem(
    membershipProblems.noAnswer,
    'Memberships did not answer',
    `The memberships endpoint did not answer ${messageType} within ${timeoutMs} ms; it may still apply it, so check GET /memberships/{customerId} before trying again`,
  );
}

const refusalKinds: ReadonlyMap<string, ProblemType> = new Map(
  Object.values(membershipProblems).map((kind) => [kind.code, kind]),
);

/**
 * The endpoint's refusal as the route answers it. A refusal without a code this module knows (sent by
 * an endpoint of an older version) is still answered with its status, title and detail.
 */
export function refusedProblem(refusal: {
  readonly code?: string | undefined;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
}): ProblemError {
  const kind = refusal.code === undefined ? undefined : refusalKinds.get(refusal.code);
  if (kind?.status === refusal.status) return problem(kind, refusal.title, refusal.detail);
  return new ProblemError(refusal.status, refusal.title, refusal.detail);
}
