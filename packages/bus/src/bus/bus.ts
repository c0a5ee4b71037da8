import { type BusCore, createBusCore } from './bus-core.ts';
import { busHealth, startBus, stopBus } from './bus-lifecycle.ts';
import type { Bus, BusOptions } from './bus-options.ts';
import {
  cancelScheduledSendFrom,
  publishFrom,
  requestFrom,
  scheduleSendFrom,
  sendFrom,
} from './bus-producer.ts';

export type {
  Bus,
  BusHealth,
  BusOptions,
  BusService,
  RequestOptions,
  ScheduledSend,
  StopOptions,
} from './bus-options.ts';

/**
 * Creates a bus; nothing connects until `start()`. A façade over the parts, each functions over the
 * bus's core (`bus-core.ts`: options checked, topology and outbound pipeline made once): starting and
 * stopping (`bus-lifecycle.ts`), the producer paths (`bus-producer.ts`) and what each receive endpoint
 * gets from the bus (`endpoint-runtimes.ts`).
 */
export function createBus(options: BusOptions): Bus {
  const core: BusCore = createBusCore(options);
  return {
    start: () => startBus(core),
    stop: (stopOptions) => stopBus(core, stopOptions),
    publish: (type, message, messageOptions) => publishFrom(core, type, message, messageOptions),
    send: (destination, type, message, messageOptions) =>
      sendFrom(core, destination, type, message, messageOptions),
    request: (type, message, requestOptions) => requestFrom(core, type, message, requestOptions),
    scheduleSend: (destination, dueAt, type, message, messageOptions) =>
      scheduleSendFrom(core, destination, dueAt, type, message, messageOptions),
    cancelScheduledSend: (tokenId) => cancelScheduledSendFrom(core, tokenId),
    topology: () => core.topology,
    health: () => busHealth(core),
  };
}
