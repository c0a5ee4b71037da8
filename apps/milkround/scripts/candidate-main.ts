import { runHostProcess } from '@switchyard/host';
import { app, milkroundModules } from '../src/app.ts';

// A candidate build of milkround with one deliberate behaviour change, for the shadow regression demo
// (`npm run regression:demo`): a discounted price that falls on exactly half a penny or cent is rounded
// down, where the release rounds it up. Everything else is the release.
process.exitCode = await runHostProcess({
  modules: milkroundModules({ pricing: { halves: 'down' } }),
  ...(app.profiles ? { profiles: app.profiles } : {}),
  title: `${app.title} (candidate: halves rounded down)`,
  version: app.version,
});
