/**
 * The reference system in blue/green slots, for a person to watch: `npm run slots:reference` (from the
 * repository root, with PostgreSQL and RabbitMQ running and DATABASE_URL and RABBITMQ_URL set). It makes
 * a fresh database and vhost, runs milkround's storefront and its operations in slots blue and green as
 * separate processes, sends customers through the business, switches deliveries and billing to green
 * while they go, and prints `yard slots status` before and after and the effect ledger. Then it drops
 * what it made.
 */
import { postgresForTests, rabbitmqForTests } from '@switchyard/testing';
import { ledgerSummary, runSlotsReference } from '../test/slots/slots-reference.ts';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();
if (postgres.skip || rabbitmq.skip) {
  process.stderr.write(
    `The slots reference run needs PostgreSQL and RabbitMQ: ${postgres.skip || rabbitmq.skip}\n`,
  );
  process.exit(2);
}
const database = await postgres.createDatabase();
const vhost = await rabbitmq.createVhost();
try {
  const result = await runSlotsReference({
    databaseUrl: database.url,
    vhostUrl: vhost.url,
    print: (text) => process.stdout.write(`${text}\n`),
  });
  const clean = result.ledger.lost === 0 && result.ledger.duplicated === 0;
  process.stdout.write(
    `${result.customers} customers, ${result.retriedRequests} requests sent again. ${ledgerSummary(result.ledger)}\n`,
  );
  process.exitCode = clean ? 0 : 1;
} finally {
  await vhost.delete();
  await database.drop();
}
