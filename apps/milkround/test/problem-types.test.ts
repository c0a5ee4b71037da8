import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { problemTypeUri } from '@switchyard/host';
import { milkroundModules } from '../src/app.ts';
import { type RunningMilkround, startMilkround } from './support/milkround-host.ts';

interface Problem {
  readonly type: string;
  readonly code: string;
  readonly title: string;
  readonly status: number;
}

/** A response of the OpenAPI document, as far as this test reads it. */
interface DocumentedResponse {
  readonly content?: Record<string, { schema: { properties?: Record<string, { enum?: string[] }> } }>;
}
type OpenApi = { paths: Record<string, Record<string, { responses: Record<string, DocumentedResponse> }>> };

/** The problem codes a route declares for a status, from the OpenAPI document. */
function declaredCodes(document: OpenApi, method: string, path: string, status: number): string[] {
  const response = document.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
  const schema = response?.content ? Object.values(response.content)[0]?.schema : undefined;
  return schema?.properties?.code?.enum ?? [];
}

describe("milkround's problems", () => {
  let milkround: RunningMilkround;
  let document: OpenApi;

  before(async () => {
    milkround = await startMilkround({ modules: milkroundModules(), seed: true });
    document = (await milkround.request('GET', '/openapi.json')).body as OpenApi;
  });
  after(() => milkround?.stop());

  it('declares, for every problem status of every route, the codes it answers with', () => {
    const undeclared: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const status of Object.keys(operation.responses).map(Number)) {
          // Every problem status names its codes: the modules' own, and those the host raises itself.
          if (status < 400) continue;
          if (declaredCodes(document, method, path, status).length === 0)
            undeclared.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    assert.deepEqual(undeclared, []);
  });

  it('answers each problem with its code, the type made from it, and a code its route declares', async () => {
    const cases = [
      {
        method: 'GET',
        path: '/orders/{orderId}',
        url: '/orders/o-nobody',
        code: 'ORDER_NOT_FOUND',
        status: 404,
      },
      {
        method: 'GET',
        path: '/memberships/{customerId}',
        url: '/memberships/c-nobody',
        code: 'MEMBERSHIP_NOT_FOUND',
        status: 404,
      },
      {
        // A refusal that crossed a message from the memberships endpoint keeps its code.
        method: 'POST',
        path: '/memberships/{customerId}/pause',
        url: '/memberships/c-nobody/pause',
        code: 'MEMBERSHIP_NOT_FOUND',
        status: 404,
      },
      {
        method: 'GET',
        path: '/returns/complaints/{complaintId}',
        url: '/returns/complaints/k-nobody',
        code: 'COMPLAINT_NOT_FOUND',
        status: 404,
      },
      {
        method: 'GET',
        path: '/billing/customers/{customerId}/balance',
        url: '/billing/customers/c-nobody/balance',
        code: 'BILLING_ACCOUNT_NOT_FOUND',
        status: 404,
      },
      {
        method: 'GET',
        path: '/deliveries/runs/{deliveryDate}',
        url: '/deliveries/runs/2020-01-01',
        code: 'DELIVERY_RUN_NOT_FOUND',
        status: 404,
      },
    ];
    for (const each of cases) {
      const answer = await milkround.request(each.method, each.url);
      const problem = answer.body as Problem;
      assert.equal(answer.status, each.status, each.url);
      assert.equal(problem.code, each.code, each.url);
      assert.equal(problem.type, problemTypeUri(each.code as never), each.url);
      assert.ok(
        declaredCodes(document, each.method, each.path, each.status).includes(each.code),
        `${each.method} ${each.path} declares ${each.code} for ${each.status}`,
      );
    }
  });

  it('answers a refused join with the code of the refusal', async () => {
    const answer = await milkround.request('POST', '/memberships', {
      customerId: 'c-plan',
      name: 'Pat',
      region: 'UK',
      postcode: 'BS1 4DJ',
      plan: 'platinum',
    });
    assert.equal(answer.status, 400);
    assert.equal((answer.body as Problem).code, 'MEMBERSHIP_PLAN_UNKNOWN');
    assert.equal((answer.body as Problem).title, 'Unknown plan');
    assert.ok(declaredCodes(document, 'POST', '/memberships', 400).includes('MEMBERSHIP_PLAN_UNKNOWN'));
  });
});
