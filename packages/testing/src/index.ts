/**
 * Test support shared by Switchyard's packages (private: not published). Integration tests get a
 * fresh PostgreSQL schema or database and a fresh RabbitMQ vhost per test file, skip with a one-line
 * reason when a server is not configured and fail when it is missing in CI; fault tests restart the
 * real servers and cut connections through a TCP proxy; process helpers start a host and wait for its
 * URL; README and entry examples are run as programs, so documentation cannot drift from the code.
 *
 * ```ts
 * import { requirementFor } from '@switchyard/testing';
 *
 * // What an integration test file decides before it starts, from the environment alone.
 * const requirement = requirementFor('PostgreSQL', 'DATABASE_URL', { CI: 'true' });
 * console.log(requirement.kind, '-', requirement.kind === 'run' ? requirement.url : requirement.reason.split(':')[0]);
 * ```
 */
export { type BrowserForTests, browserForTests } from './browser-for-tests.ts';
export { checkHttpEdge, type EdgeAnswer, type HttpEdgeOptions } from './http-edge-check.ts';
export { type ListeningProcess, startListeningProcess } from './listening-process.ts';
export { type GeneratedRequest, type OpenApiDocument, requestsFromOpenApi } from './openapi-requests.ts';
export {
  type PostgresForTests,
  postgresForTests,
  type TestDatabase,
  type TestSchema,
} from './postgres-test-schema.ts';
export { type ProcessExit, runUntilExit } from './process-exit.ts';
export { type RabbitMqForTests, rabbitmqForTests, type TestVhost } from './rabbitmq-test-vhost.ts';
export { type ExampleOptions, runEntryExample, runReadmeExample } from './readme-example.ts';
export { restartPostgres, restartRabbitMq } from './server-restarts.ts';
export {
  isCi,
  requirementFor,
  type ServiceRequirement,
  type TestEnvironment,
} from './service-requirement.ts';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';
export { abandonedAfterMs, freshTestName, isAbandonedTestName } from './test-names.ts';
