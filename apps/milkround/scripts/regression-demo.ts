/**
 * The shadow regression demo, for a person to watch: `npm run regression:demo` (from the repository
 * root, with PostgreSQL and RabbitMQ running and DATABASE_URL and RABBITMQ_URL set; `-- --customers N`
 * for more or fewer than 36). It makes fresh databases and vhosts, runs two instances of the release
 * and one candidate build that rounds half-penny prices down, sends the same customers through all
 * three, compares release against release and release against the candidate with milkround's
 * reconcilers, prints both reports and checks that the candidate's run found exactly the customers the
 * change touches and the release's none. Then it drops what it made. Exit code 0 when both are exact.
 */
import { parseArgs } from 'node:util';
import { postgresForTests, rabbitmqForTests } from '@switchyard/testing';
import { describeDemo, isExact } from '../test/regression/demo-verdict.ts';
import { runRegressionDemo } from '../test/regression/regression-demo.ts';

const { values } = parseArgs({ options: { customers: { type: 'string', default: '36' } } });
const customers = Number(values.customers);
if (!Number.isInteger(customers) || customers < 1 || customers > 1_000) {
  process.stderr.write(`--customers must be a whole number from 1 to 1000, not "${values.customers}"\n`);
  process.exit(2);
}
const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();
if (postgres.skip || rabbitmq.skip) {
  process.stderr.write(
    `The regression demo needs PostgreSQL and RabbitMQ: ${postgres.skip || rabbitmq.skip}\n`,
  );
  process.exit(2);
}
const databases = [
  await postgres.createDatabase(),
  await postgres.createDatabase(),
  await postgres.createDatabase(),
  await postgres.createDatabase(),
];
const vhosts = [
  await rabbitmq.createVhost(),
  await rabbitmq.createVhost(),
  await rabbitmq.createVhost(),
  await rabbitmq.createVhost(),
];
const environment = (index: number) => ({
  databaseUrl: (databases[index] as { url: string }).url,
  vhostUrl: (vhosts[index] as { url: string }).url,
});
try {
  const result = await runRegressionDemo({
    release: environment(0),
    release2: environment(1),
    candidate: environment(2),
    storeUrl: (databases[3] as { url: string }).url,
    workVhostUrl: (vhosts[3] as { url: string }).url,
    customers,
    print: (text) => process.stdout.write(`${text}\n`),
  });
  process.stdout.write(`${describeDemo(result)}\n`);
  process.exitCode = isExact(result.unchanged) && isExact(result.changed) ? 0 : 1;
} finally {
  for (const vhost of vhosts) await vhost.delete();
  for (const database of databases) await database.drop();
}
