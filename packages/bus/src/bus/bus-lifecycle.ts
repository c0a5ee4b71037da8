import { EndpointRunner } from '../endpoint/endpoint-runner.ts';
import { ConfigurationError } from '../errors.ts';
import type { BusCore } from './bus-core.ts';
import type { BusHealth, StopOptions } from './bus-options.ts';
import { dispatchAll, endpointRuntime } from './endpoint-runtimes.ts';
import { BusStoppedError } from './request-errors.ts';

const defaultStopDeadlineMs = 30_000;
/** After the deadline, handlers get this long to notice the abort signal before the transport closes. */
const abandonGraceMs = 1_000;

/**
 * Starts, in order, the transport (and deploys the topology), the response queue, the services, the
 * scheduler and the endpoints; if any fails, the transport is closed and the bus is stopped again.
 */
export async function startBus(core: BusCore): Promise<void> {
  if (core.state !== 'stopped') throw new ConfigurationError(`Cannot start a bus that is ${core.state}`);
  const { options, transport, logger } = core;
  core.state = 'starting';
  core.abort = new AbortController();
  try {
    await transport.start();
    await transport.deploy(core.topology);
    await core.requests.start();
    for (const service of options.services ?? []) await service.start();
    await options.scheduler?.start(async (scheduled) => {
      try {
        await dispatchAll(core, [scheduled.outgoing]);
      } catch (error) {
        logger.error(
          { err: error, scheduledId: scheduled.id },
          'Scheduled message could not be sent; will retry',
        );
        throw error;
      }
    });
    core.runners = core.endpoints.map((endpoint) => new EndpointRunner(endpointRuntime(core, endpoint)));
    for (const runner of core.runners) await runner.start();
    core.state = 'running';
    logger.info(
      { endpoints: core.endpoints.map((each) => each.name), transport: transport.name },
      'Bus started',
    );
  } catch (error) {
    core.state = 'stopped';
    await transport.close().catch(() => {});
    throw error;
  }
}

/**
 * Stops taking messages, lets those in flight finish until the deadline (then aborts them back to
 * their queues), and stops the rest in the reverse order of `startBus`.
 */
export async function stopBus(core: BusCore, stopOptions: StopOptions = {}): Promise<void> {
  if (core.state !== 'running') return;
  const { options, logger, runners } = core;
  core.state = 'stopping';
  const deadlineMs = stopOptions.deadlineMs ?? defaultStopDeadlineMs;
  for (const runner of runners) await runner.stopTaking();
  const drained = Promise.all(runners.map((runner) => runner.drained()));
  const finished = await Promise.race([drained.then(() => true), delay(deadlineMs).then(() => false)]);
  if (!finished) {
    logger.warn(
      { deadlineMs },
      'Stop deadline passed with messages in flight; abandoning them to their queues',
    );
    core.abort.abort(new BusStoppedError('Stop deadline passed'));
    await Promise.race([drained, delay(abandonGraceMs)]);
  }
  await options.scheduler?.stop();
  for (const service of [...(options.services ?? [])].reverse()) await service.stop();
  await core.requests.stop();
  await core.transport.close();
  core.runners = [];
  core.state = 'stopped';
  logger.info('Bus stopped');
}

/** The bus's state, its transport's health, and how busy each endpoint is. */
export function busHealth(core: BusCore): BusHealth {
  return {
    state: core.state,
    transport: core.transport.health(),
    endpoints: core.runners.map((runner) => ({ name: runner.name, busy: runner.busy })),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
