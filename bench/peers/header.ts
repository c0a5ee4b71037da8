/**
 * The lines above the peers table: when, on what machine, with which Node, servers and peer
 * versions. The versions are read from the installed packages, so the figures say what produced
 * them even after a lockfile update.
 */
import amqp from 'amqplib';
import pg from 'pg';
import { postgresUrl as databaseUrl } from '../support/postgres.ts';
import { rabbitMqUrl } from '../support/rabbitmq.ts';
import { installedVersion, machine, packageJsonOf, switchyardCommit } from '../support/versions.ts';

async function rabbitMqVersion(): Promise<string> {
  try {
    const connection = await amqp.connect(rabbitMqUrl);
    connection.on('error', () => {});
    const version = String(connection.connection.serverProperties.version ?? 'unknown');
    await connection.close();
    return version;
  } catch (error) {
    return `unreachable (${(error as Error).message})`;
  }
}

async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return rows[0]?.server_version ?? 'unknown';
  } catch (error) {
    return `unreachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The header, given the run's settings line. */
export async function peersHeader(settings: string): Promise<string> {
  const busRabbitMq = packageJsonOf('@node-ts/bus-rabbitmq');
  const nodeTs = busRabbitMq
    ? `@node-ts/bus-core ${installedVersion('@node-ts/bus-core')} with @node-ts/bus-rabbitmq ` +
      `${installedVersion('@node-ts/bus-rabbitmq')} (its own amqplib ${installedVersion('amqplib', busRabbitMq)})`
    : '@node-ts/bus not installed';
  return (
    `Switchyard peers, ${new Date().toISOString()}\n` +
    `Switchyard ${installedVersion('@switchyard/bus')} at ${switchyardCommit()}; Node ${process.version}\n` +
    `Machine: ${machine()}\n` +
    `Servers: RabbitMQ ${await rabbitMqVersion()}, PostgreSQL ${await postgresVersion()}\n` +
    `Peers: amqplib ${installedVersion('amqplib')}; ${nodeTs}; pg-boss ${installedVersion('pg-boss')}; ` +
    `pg ${installedVersion('pg')}\n` +
    `Settings: ${settings}\n`
  );
}
