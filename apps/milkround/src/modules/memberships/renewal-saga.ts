import { defineSaga, event } from '@switchyard/saga';
import {
  BeginGracePeriod,
  commandEndpoint,
  GraceExpired,
  LapseMembership,
  RenewalDue,
  RenewalPeriodStarted,
  RenewalsStopped,
} from './membership-messages.ts';

/** What the renewal saga needs to know. */
export interface RenewalSagaOptions {
  readonly graceMs: number;
}

/**
 * Times one membership's paid periods. At the end of a period it tells the command endpoint that the
 * member is in grace and waits for the grace period; when that runs out it asks the endpoint to lapse
 * the membership. The endpoint decides both against the members table, so a renewal racing either
 * timeout wins or loses as a whole; a renewal starts the next period here again.
 */
export function renewalSaga(options: RenewalSagaOptions) {
  // The host's scheduler reads the modules' clock, so a timeout is due at the business time itself.
  const dueAt = (businessTime: string) => new Date(businessTime);
  const queue = `queue:${commandEndpoint}`;
  return defineSaga({
    name: 'milkround.memberships.Renewal',
    states: ['Active', 'Grace'],
    initialData: () => ({ customerId: '', periodEndsAt: '', graceEndsAt: '' }),
    // A lapsed membership can be renewed by nobody, but one renewed just as its grace ran out starts a
    // fresh instance with the same id, which needs the old one gone.
    removeWhenFinalized: true,
    events: {
      periodStarted: event(RenewalPeriodStarted, { byId: (message) => message.membershipId }),
      // Timeouts left over from a finished instance, or overtaken by a renewal, change nothing.
      renewalDue: event(RenewalDue, {
        byId: (message) => message.membershipId,
        whenMissing: 'ignore',
        onUnexpected: 'ignore',
      }),
      graceExpired: event(GraceExpired, {
        byId: (message) => message.membershipId,
        whenMissing: 'ignore',
        onUnexpected: 'ignore',
      }),
      stopped: event(RenewalsStopped, { byId: (message) => message.membershipId, whenMissing: 'ignore' }),
    },
    behaviour: ({ initially, during, duringAny, when }) => {
      const startPeriod = when('periodStarted', (saga) =>
        saga
          .update(({ data, message }) => {
            data.customerId = message.customerId;
            data.periodEndsAt = message.periodEndsAt;
            data.graceEndsAt = '';
          })
          .unschedule('graceExpired')
          .schedule(
            'renewalDue',
            ({ message }) => dueAt(message.periodEndsAt),
            ({ data, sagaId }) => ({
              membershipId: sagaId,
              periodEndsAt: data.periodEndsAt,
            }),
          )
          .transitionTo('Active'),
      );
      return [
        initially(startPeriod),
        during(['Active', 'Grace'], startPeriod),
        during(
          'Active',
          when('renewalDue', (saga) =>
            saga
              .update(({ data }) => {
                data.graceEndsAt = new Date(Date.parse(data.periodEndsAt) + options.graceMs).toISOString();
              })
              .send(queue, BeginGracePeriod, ({ data, sagaId }) => ({
                membershipId: sagaId,
                periodEndsAt: data.periodEndsAt,
                graceEndsAt: data.graceEndsAt,
              }))
              .schedule(
                'graceExpired',
                ({ data }) => dueAt(data.graceEndsAt),
                ({ data, sagaId }) => ({
                  membershipId: sagaId,
                  periodEndsAt: data.periodEndsAt,
                }),
              )
              .transitionTo('Grace'),
          ),
        ),
        during(
          'Grace',
          when('graceExpired', (saga) =>
            saga
              .send(queue, LapseMembership, ({ data, sagaId }) => ({
                membershipId: sagaId,
                periodEndsAt: data.periodEndsAt,
              }))
              .finalize(),
          ),
        ),
        duringAny(
          when('stopped', (saga) => saga.unschedule('renewalDue').unschedule('graceExpired').finalize()),
        ),
      ];
    },
  });
}
