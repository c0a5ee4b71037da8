import { runHostProcess } from '@switchyard/host';
import { app } from './app.ts';

// Tradebook as a host process: its modules (SWITCHYARD_PROFILE picks some), embedded (PGlite in
// ./data) unless DATABASE_URL and RABBITMQ_URL say otherwise, booking into the core at
// TRADEBOOK_CORE_HOST:TRADEBOOK_CORE_PORT. `npm run tradebook` starts the core and a feed beside it.
process.exitCode = await runHostProcess({
  modules: app.modules(),
  ...(app.profiles ? { profiles: app.profiles } : {}),
  title: app.title,
  version: app.version,
});
