import { after, before, describe, it } from 'node:test';
import { checkHttpEdge } from '@switchyard/testing';
import { milkroundModules } from '../src/app.ts';
import { type RunningMilkround, startMilkround } from './support/milkround-host.ts';

// Requests derived from milkround's own OpenAPI document: valid ones, boundary values (NUL, unpaired
// surrogates, ids past the limits, integers past PostgreSQL's, year 0000) and malformed ones (broken
// JSON, other content types, bad percent-encoding). The edge must answer each within the bound, with
// no 5xx and a problem+json body for every 4xx; every command it accepts (201 or 202 with a Location)
// must show its effect, or report its failure, on that status resource within a bound. HTTP_EDGE_RUNS raises the count for a longer run on
// demand; HTTP_EDGE_SEED replays a failure (its seed is printed).
const numRuns = Number(process.env.HTTP_EDGE_RUNS ?? 500);
const seed = process.env.HTTP_EDGE_SEED === undefined ? undefined : Number(process.env.HTTP_EDGE_SEED);

describe('milkround’s HTTP edge under generated input', () => {
  let milkround: RunningMilkround;
  before(async () => {
    milkround = await startMilkround({ modules: milkroundModules(), seed: true });
  });
  after(() => milkround?.stop());

  // A longer run on demand may take minutes: the test's own limit grows with it.
  const timeout = Math.max(120_000, numRuns * 60);
  it('answers every generated request within the bound, with no 5xx and problem+json for every 4xx, and shows every accepted command’s effect or failure', {
    timeout,
  }, async (t) => {
    const answers = await checkHttpEdge(milkround.url, {
      numRuns,
      ...(seed !== undefined ? { seed } : {}),
      // Readiness answers 503 when a dependency is down: that is its job, not a failure of the edge.
      skipPaths: /^\/health\//,
      // Generous, for a CI machine running four test files beside this one: a request stuck behind a
      // lock or a leak shows as many seconds, not as the few hundred milliseconds of a busy core.
      latencyBoundMs: 5_000,
      // Consumers run in this process: an accepted command shows in well under a second, unless it is
      // stuck in redelivery (about two minutes, decision 0017), which is what this bound catches.
      settleBoundMs: 10_000,
    });
    const followed = answers.filter((answer) => answer.settled);
    t.diagnostic(
      `${followed.length} accepted commands followed to their status resource, ${followed.filter((answer) => answer.settled?.failed).length} of them reported failed`,
    );
  });
});
