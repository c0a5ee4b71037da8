import { type MessageOf, type MessageType, RequestTimeoutError } from '@switchyard/bus';
import type { ModuleServices } from '@switchyard/host';
import { commandEndpoint, MembershipCommandAnswered } from './membership-messages.ts';
import { noAnswer, refusedProblem } from './membership-problems.ts';
import type { MembershipView } from './membership-view.ts';

const answerTimeoutMs = 10_000;

/**
 * Changes go to the command endpoint as requests and the route waits for its answer: the row, the
 * events and the answer commit together there, and the caller still learns at once whether it worked.
 */
export async function ask<T>(
  services: ModuleServices,
  type: MessageType<T>,
  message: T,
): Promise<MembershipView> {
  let answered: MessageOf<typeof MembershipCommandAnswered>;
  try {
    const response = await services.bus.request(type, message, {
      destination: `queue:${commandEndpoint}`,
      responseType: MembershipCommandAnswered,
      timeoutMs: answerTimeoutMs,
    });
    answered = response.message;
  } catch (error) {
    if (!(error instanceof RequestTimeoutError)) throw error;
    throw noAnswer(type.name, answerTimeoutMs);
  }
  if (answered.refusal) throw refusedProblem(answered.refusal);
  if (!answered.membership)
    throw new Error(`The memberships endpoint answered ${type.name} with neither a membership nor a refusal`);
  return answered.membership;
}
