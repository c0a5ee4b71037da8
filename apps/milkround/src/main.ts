import { runHostProcess } from '@switchyard/host';
import { milkroundModules, milkroundProfiles } from './app.ts';

// What `npm start` runs: the whole reference system in one process, embedded (PGlite in ./data) unless
// DATABASE_URL and RABBITMQ_URL say otherwise; SWITCHYARD_PROFILE picks a subset of the modules.
process.exitCode = await runHostProcess({
  modules: milkroundModules(),
  profiles: milkroundProfiles,
  title: 'Milkround',
  version: '0.1.0',
});
