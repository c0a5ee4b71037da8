import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consumer, defineMessage, receiveEndpoint, startTestHarness } from '@switchyard/bus';
import fc from 'fast-check';
import { z } from 'zod';

const Job = defineMessage(
  'switchyard.tests.Job',
  z.object({ id: z.number().int(), failures: z.number().int() }),
);

describe('recoverability, for any sequence of consumer failures', () => {
  it('ends every message either handled once or in the error queue once: none lost, none twice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          immediateLimit: fc.integer({ min: 0, max: 3 }),
          redeliveries: fc.integer({ min: 0, max: 2 }),
          concurrency: fc.integer({ min: 1, max: 4 }),
          // How many times each message's consumer fails before it succeeds; 99 means it never does.
          failures: fc.array(fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constant(99)), {
            minLength: 1,
            maxLength: 12,
          }),
        }),
        async ({ immediateLimit, redeliveries, concurrency, failures }) => {
          const attempts = new Map<number, number>();
          const successes = new Map<number, number>();
          const harness = await startTestHarness({
            endpoints: [
              receiveEndpoint('jobs', {
                concurrency,
                retry: {
                  immediate: { limit: immediateLimit },
                  redelivery: { intervalsMs: Array.from({ length: redeliveries }, () => 1) },
                },
                consumers: [
                  consumer(Job, (job) => {
                    const attempt = (attempts.get(job.id) ?? 0) + 1;
                    attempts.set(job.id, attempt);
                    if (attempt <= job.failures) throw new Error(`job ${job.id} failure ${attempt}`);
                    successes.set(job.id, (successes.get(job.id) ?? 0) + 1);
                  }),
                ],
              }),
            ],
          });
          try {
            const allowed = (immediateLimit + 1) * (redeliveries + 1);
            for (const [id, count] of failures.entries())
              await harness.bus.send('jobs', Job, { id, failures: count });
            const expectedErrors = failures.filter((count) => count >= allowed).length;
            await harness.consumed.waitForCount(Job, failures.length - expectedErrors, 10_000);
            await harness.faulted.waitForCount(Job, expectedErrors, 10_000);

            const inErrorQueue = harness
              .queue('jobs_error')
              .map((record) => (record.envelope ? (record.envelope.message as { id: number }).id : -1));
            for (const [id, count] of failures.entries()) {
              if (count < allowed) {
                assert.equal(successes.get(id), 1, `job ${id} handled once`);
                assert.ok(!inErrorQueue.includes(id), `job ${id} is not in the error queue`);
                assert.equal(attempts.get(id), count + 1);
              } else {
                assert.equal(successes.get(id), undefined, `job ${id} never succeeded`);
                assert.equal(
                  inErrorQueue.filter((each) => each === id).length,
                  1,
                  `job ${id} in the error queue once`,
                );
                assert.equal(attempts.get(id), allowed, `job ${id} tried exactly ${allowed} times`);
              }
            }
            assert.equal(harness.transport.broker.queue('jobs')?.depth ?? 0, 0, 'nothing left behind');
          } finally {
            await harness.stop();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
