import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { milkroundModules } from '../src/app.ts';
import { type RunningMilkround, startMilkround } from './support/milkround-host.ts';

/** A JSON Schema, as far as this test reads it. */
interface Schema {
  readonly properties?: Record<string, Schema>;
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
  readonly enum?: readonly unknown[];
}
interface DocumentedResponse {
  readonly content?: Record<string, { readonly schema: Schema }>;
}
type OpenApi = { paths: Record<string, Record<string, { responses: Record<string, DocumentedResponse> }>> };

/** What one answer's schema says about money: its amounts by path, and where one has no currency. */
function moneyIn(schema: Schema): { amounts: string[]; withoutCurrency: string[]; currencies: Schema[] } {
  const found = { amounts: [] as string[], withoutCurrency: [] as string[], currencies: [] as Schema[] };
  const visit = (node: Schema, path: string, currencyAbove: boolean) => {
    for (const each of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) {
      visit(each, path, currencyAbove);
    }
    if (node.items) visit(node.items, `${path}[]`, currencyAbove);
    const properties = node.properties ?? {};
    const currency = properties.currency;
    if (currency) found.currencies.push(currency);
    const covered = currencyAbove || currency !== undefined;
    for (const [name, property] of Object.entries(properties)) {
      const at = path ? `${path}.${name}` : name;
      // Money is named by its minor unit, never by one currency's coin.
      if (/Minor$|pence|cents/i.test(name)) {
        found.amounts.push(at);
        if (!covered || !/Minor$/.test(name)) found.withoutCurrency.push(at);
      }
      visit(property, at, covered);
    }
  };
  visit(schema, '', false);
  return found;
}

describe('money in the OpenAPI document', () => {
  let milkround: RunningMilkround;
  let document: OpenApi;

  before(async () => {
    milkround = await startMilkround({ modules: milkroundModules() });
    document = (await milkround.request('GET', '/openapi.json')).body as OpenApi;
  });
  after(() => milkround?.stop());

  /** Every documented success answer, as `METHOD path status` with its schema. */
  const answers = () =>
    Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) =>
        Object.entries(operation.responses)
          .filter(([status]) => status.startsWith('2'))
          .flatMap(([status, response]) =>
            Object.values(response.content ?? {}).map((content) => ({
              answer: `${method.toUpperCase()} ${path} ${status}`,
              schema: content.schema,
            })),
          ),
      ),
    );

  it('names every amount by minor unit beside an ISO 4217 currency, in every module', () => {
    const withoutCurrency: string[] = [];
    const withMoney = new Set<string>();
    for (const { answer, schema } of answers()) {
      const money = moneyIn(schema);
      if (money.amounts.length > 0) withMoney.add(answer);
      withoutCurrency.push(...money.withoutCurrency.map((at) => `${answer}: ${at}`));
      for (const currency of money.currencies) {
        const codes = [...(currency.enum ?? currency.anyOf?.flatMap((each) => each.enum ?? []) ?? [])];
        assert.deepEqual(codes.filter((code) => code !== null).sort(), ['GBP', 'USD'], answer);
      }
    }
    assert.deepEqual(withoutCurrency, []);
    for (const answer of [
      'GET /orders/{orderId} 200',
      'GET /customers/{customerId}/orders 200',
      'GET /products 200',
      'GET /deliveries/{deliveryId} 200',
      'GET /deliveries/runs/{deliveryDate} 200',
      'GET /returns/complaints/{complaintId} 200',
      'GET /billing/customers/{customerId}/invoices/{period} 200',
      'GET /billing/customers/{customerId}/balance 200',
    ]) {
      assert.ok(withMoney.has(answer), `${answer} shows amounts (found: ${[...withMoney].join(', ')})`);
    }
  });
});
