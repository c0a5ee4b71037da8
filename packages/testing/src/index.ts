export { type BrowserForTests, browserForTests } from './browser-for-tests.ts';
export { type ListeningProcess, startListeningProcess } from './listening-process.ts';
export {
  type PostgresForTests,
  postgresForTests,
  type TestDatabase,
  type TestSchema,
} from './postgres-test-schema.ts';
export { type ProcessExit, runUntilExit } from './process-exit.ts';
export { type RabbitMqForTests, rabbitmqForTests, type TestVhost } from './rabbitmq-test-vhost.ts';
export { runReadmeExample } from './readme-example.ts';
export { restartPostgres, restartRabbitMq } from './server-restarts.ts';
export {
  isCi,
  requirementFor,
  type ServiceRequirement,
  type TestEnvironment,
} from './service-requirement.ts';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';
