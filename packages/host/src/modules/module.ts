import {
  type Bus,
  ConfigurationError,
  type Inbox,
  type MessageType,
  type ReceiveEndpointDefinition,
  type SagaStore,
  type Scheduler,
  type TransactionalOptions,
} from '@switchyard/bus';
import type { Migration, SqlClient, SqlTransaction } from '@switchyard/postgres';
import type { SagaEndpointOptions } from '@switchyard/saga';
import type { Logger } from 'pino';
import type { RouteDefinition } from '../server/route.ts';

/** What the host gives each module: its database schema, the shared ports, and the bus. */
export interface ModuleServices {
  readonly sql: SqlClient;
  /** The module's own database schema (its name); its tables live there and nowhere else. */
  readonly schema: string;
  readonly logger: Logger;
  /** For `transactional(...)` and `sagaEndpoint(...)`: state, inbox and outgoing messages in one transaction. */
  readonly transactional: TransactionalOptions<SqlTransaction>;
  readonly inbox: Inbox<SqlTransaction>;
  readonly sagaStore: SagaStore<SqlTransaction>;
  readonly scheduler: Scheduler<SqlTransaction>;
  /** The process's bus; usable from routes and seeds (it is not running yet while endpoints are built). */
  readonly bus: Bus;
  /** The clock everything in the module should read (tests move it). */
  readonly now: () => number;
  /**
   * What `sagaEndpoint(saga, { ...sagaEndpointOptions, endpointName })` needs from the host: the
   * transaction and inbox, the saga store, the scheduler and the module's clock.
   */
  readonly sagaEndpointOptions: SagaEndpointOptions<SqlTransaction>;
}

/** A module: its migrations, the endpoints (consumers and sagas) it runs, its HTTP routes and its demo data. */
export interface ModuleDefinition {
  /** Lower-case; also its database schema and the prefix of its endpoints. */
  readonly name: string;
  readonly migrations?: readonly Migration[];
  readonly endpoints?: (services: ModuleServices) => readonly ReceiveEndpointDefinition[];
  readonly routes?: (services: ModuleServices) => readonly RouteDefinition[];
  /** Runs at every start once the bus is running (book recurring work, warm caches); it must be idempotent. */
  readonly start?: (services: ModuleServices) => Promise<void>;
  /** Demo data, run at every start while seeding is on (after `start`): it must be idempotent. */
  readonly seed?: (services: ModuleServices) => Promise<void>;
  /**
   * Message types that always go to the live slot of whatever consumes them, never bound to the slot
   * that produced them: recurring work that would otherwise keep an old slot busy for ever (a nightly
   * tick that books the next one).
   */
  readonly slotFollowsLive?: readonly MessageType[];
}

const modulePattern = /^[a-z][a-z0-9_]{0,62}$/;

/** Declares a module, checking its name (it becomes a schema name). */
export function defineModule(definition: ModuleDefinition): ModuleDefinition {
  if (!modulePattern.test(definition.name)) {
    throw new ConfigurationError(
      `Module name "${definition.name}" must be a lower-case letter followed by up to 62 lower-case letters, digits or "_" (it names the module's database schema)`,
    );
  }
  return definition;
}

/** Which modules run in a process, by profile name; `all` (every module) is always there. */
export type DeploymentProfiles = Readonly<Record<string, readonly string[]>>;

/** The modules profile `name` runs, in the order given; errors name the profile and the module. */
export function modulesOfProfile(
  modules: readonly ModuleDefinition[],
  profiles: DeploymentProfiles,
  name: string,
): ModuleDefinition[] {
  const seen = new Set<string>();
  for (const each of modules) {
    if (seen.has(each.name)) throw new ConfigurationError(`Two modules are named "${each.name}"`);
    seen.add(each.name);
  }
  if (name === 'all' && !profiles.all) return [...modules];
  const wanted = profiles[name];
  if (!wanted) {
    const known = ['all', ...Object.keys(profiles).filter((each) => each !== 'all')];
    throw new ConfigurationError(`Profile "${name}" is not defined (profiles: ${known.join(', ')})`);
  }
  return wanted.map((moduleName) => {
    const found = modules.find((each) => each.name === moduleName);
    if (!found) {
      throw new ConfigurationError(
        `Profile "${name}" lists module "${moduleName}", which does not exist (modules: ${modules.map((each) => each.name).join(', ')})`,
      );
    }
    return found;
  });
}
