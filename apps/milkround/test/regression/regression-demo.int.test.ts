import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresForTests, rabbitmqForTests, type TestDatabase, type TestVhost } from '@switchyard/testing';
import { customersWithHalfPrices, demoJourney } from './demo-journeys.ts';
import { describeDemo, isExact } from './demo-verdict.ts';
import { runRegressionDemo } from './regression-demo.ts';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

describe('the shadow regression demo', () => {
  it('works out the customers a half-down rounding changes from the inputs alone', () => {
    const journeys = Array.from({ length: 18 }, (_, index) => ({
      customerId: `c${index}`,
      journey: demoJourney(index),
    }));
    const prices = new Map([
      ['milk-1pt', 95],
      ['semi-1pt', 90],
      ['oat-1l', 180],
      ['eggs-6', 260],
      ['orange-1l', 250],
      ['butter-250g', 285],
    ]);
    const discounts = new Map([
      ['basic', 0],
      ['plus', 10],
      ['family', 15],
    ]);
    // plus: milk 85.5 and butter 256.5 land on a half; family: semi 76.5 and orange 212.5; basic: none.
    const changed = customersWithHalfPrices(journeys, prices, discounts);
    assert.ok(changed.length > 0 && changed.length < journeys.length);
    for (const { customerId, journey } of journeys) {
      const half = journey.lines.some(
        (line) =>
          (journey.plan === 'plus' && ['milk-1pt', 'butter-250g'].includes(line.sku)) ||
          (journey.plan === 'family' && ['semi-1pt', 'orange-1l'].includes(line.sku)),
      );
      assert.equal(
        changed.includes(customerId),
        half,
        `${customerId} on ${journey.plan} with ${JSON.stringify(journey.lines)}`,
      );
    }
  });

  describe('on RabbitMQ and PostgreSQL', { skip: postgres.skip || rabbitmq.skip }, () => {
    const databases: TestDatabase[] = [];
    const vhosts: TestVhost[] = [];
    before(async () => {
      for (let index = 0; index < 4; index += 1) {
        databases.push(await postgres.createDatabase());
        vhosts.push(await rabbitmq.createVhost());
      }
    });
    after(async () => {
      for (const vhost of vhosts) await vhost.delete();
      for (const database of databases) await database.drop();
    });

    it('finds exactly the customers the candidate changes, and nothing between two instances of the release', {
      timeout: 400_000,
    }, async () => {
      const environment = (index: number) => ({
        databaseUrl: (databases[index] as TestDatabase).url,
        vhostUrl: (vhosts[index] as TestVhost).url,
      });
      const result = await runRegressionDemo({
        release: environment(0),
        release2: environment(1),
        candidate: environment(2),
        storeUrl: (databases[3] as TestDatabase).url,
        workVhostUrl: (vhosts[3] as TestVhost).url,
        customers: 18,
      });
      const told = describeDemo(result);
      assert.equal(result.unchanged.report.summary.groups, 18, told);
      assert.equal(result.changed.report.summary.compared, 18, told);
      assert.deepEqual(result.unchanged.found, [], told);
      assert.ok(result.changed.expected.length > 0, told);
      assert.deepEqual(result.changed.found, [...result.changed.expected].sort(), told);
      assert.ok(isExact(result.unchanged) && isExact(result.changed), told);
      // The report says where the candidate differs: the prices, the charges and the refunds.
      const paths = result.changed.report.reconcilers.flatMap((each) =>
        each.differencePaths.map((path) => path.path),
      );
      assert.ok(
        paths.some((path) => path.endsWith('unitPriceMinor')),
        told,
      );
      assert.ok(
        paths.some((path) => path.endsWith('amountMinor')),
        told,
      );
    });
  });
});
