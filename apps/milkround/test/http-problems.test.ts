import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  documentedRoutes,
  undeclaredAnswers,
} from '../../../packages/host/test/contract/http-problems-contract.ts';
import { milkroundModules } from '../src/app.ts';
import { type RunningMilkround, startMilkround } from './support/milkround-host.ts';

describe("milkround's answers to bad requests", () => {
  let milkround: RunningMilkround;

  before(async () => {
    milkround = await startMilkround({ modules: milkroundModules(), seed: true });
  });
  after(() => milkround?.stop());

  it('are, on every route, a status and a problem code its OpenAPI document declares', async () => {
    assert.ok((await documentedRoutes(milkround.url)) >= 20, 'the document lists the routes');
    assert.deepEqual(await undeclaredAnswers(milkround.url), []);
  });
});
