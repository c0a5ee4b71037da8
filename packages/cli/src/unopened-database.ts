import type { SqlClient } from '@switchyard/postgres';

/**
 * A database handle that was never opened, for commands that wire the modules only to read what they
 * declare (`yard topology plan`): it opens nothing and creates nothing, so the plan works beside a
 * running embedded app and from any folder. A module that queries while it is wired fails loudly here.
 */
export function unopenedDatabase(command: string): SqlClient {
  const refuse = async (): Promise<never> => {
    throw new Error(`${command} reads no database, but a module queried one while it was being wired`);
  };
  return {
    kind: 'postgres',
    query: refuse,
    exec: refuse,
    transaction: refuse,
    listen: refuse,
    close: async () => {},
  };
}
