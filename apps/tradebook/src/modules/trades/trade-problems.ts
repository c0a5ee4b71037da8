import { type ProblemError, problem, problemType } from '@switchyard/host';

/** The trades module's codes, each listed in docs/errors.md. */
declare module '@switchyard/bus' {
  interface SwitchyardErrorCodes {
    TRADE_CANCELLED: '@switchyard/tradebook';
    TRADE_NOT_FOUND: '@switchyard/tradebook';
  }
}

/** The kinds of problem the trades routes answer with. */
export const tradeProblems = {
  tradeNotFound: problemType('TRADE_NOT_FOUND', 404),
  tradeCancelled: problemType('TRADE_CANCELLED', 409),
} as const;

/** No trade has this id: none of its streams has arrived (or they are still travelling). */
export function unknownTrade(tradeId: string): ProblemError {
  return problem(
    tradeProblems.tradeNotFound,
    'Trade not found',
    `There is no trade ${tradeId}: neither its execution nor its allocation instruction has arrived yet (a settlement instruction alone waits for them)`,
  );
}

/** A repair of a cancelled trade: nothing stays booked for it, whatever its allocations say. */
export function cancelledTrade(tradeId: string): ProblemError {
  return problem(
    tradeProblems.tradeCancelled,
    'Trade cancelled',
    `Trade ${tradeId} is cancelled: whatever was booked for it is reversed, and a repair would book nothing`,
  );
}
