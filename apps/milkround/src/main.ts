import { runHostProcess } from '@switchyard/host';
import { app } from './app.ts';

// What `npm start` runs: the whole reference system in one process, embedded (PGlite in ./data) unless
// DATABASE_URL and RABBITMQ_URL say otherwise; SWITCHYARD_PROFILE picks a subset of the modules.
process.exitCode = await runHostProcess({
  modules: app.modules(),
  ...(app.profiles ? { profiles: app.profiles } : {}),
  title: app.title,
  version: app.version,
});
