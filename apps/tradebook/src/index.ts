/**
 * Tradebook, the second reference application, as other code uses it: the app `yard` and the host
 * run, its modules with the options a test or a benchmark sets, the core's client, and the seeded feed
 * of the three upstream streams. `npm run tradebook` shows all of them working together.
 */

export {
  app,
  coreFor,
  coreFromEnvironment,
  type TradebookOptions,
  tradebookModules,
} from './app.ts';
export type { CoreConnection } from './core/core-connection.ts';
export type { GeneratedTrade, TradeShape } from './generator/generated-trades.ts';
export { type FeedOptions, type FeedReport, TradeFeed } from './generator/trade-feed.ts';
export { clientRefOf } from './modules/trades/trade-state.ts';
