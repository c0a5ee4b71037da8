import type { AnySagaDefinition } from '@switchyard/saga';
import type { AppCommand } from './app-command.ts';
import type { DeploymentProfiles, ModuleDefinition } from './module.ts';

/** An application: what `yard` and a host process run. The module file exports it as `app`. */
export interface AppDefinition {
  readonly title: string;
  readonly version: string;
  /** Makes the modules with production settings. */
  readonly modules: () => readonly ModuleDefinition[];
  readonly profiles?: DeploymentProfiles;
  /** The sagas the modules run, for `yard saga show`. */
  readonly sagas?: readonly AnySagaDefinition[];
  /** Commands the app adds to `yard`, which call its HTTP API (see AppCommand). */
  readonly commands?: readonly AppCommand[];
}

/** Declares an application. */
export function defineApp(definition: AppDefinition): AppDefinition {
  return definition;
}
