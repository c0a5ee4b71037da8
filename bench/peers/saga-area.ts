/**
 * The saga rows of the peers table: the saga runtime (saga-events.bench.ts) and the saga stores
 * with the outbox (postgres-saga-step.bench.ts) on the PostgreSQL server, each against the same
 * step written by hand with `pg`. The standalone scripts' extras (the saga checker, PGlite) are
 * not peer comparisons and stay out.
 */
import { measureSagaStepOnPostgres } from '../postgres-saga-step.bench.ts';
import { measureSagaEvents } from '../saga-events.bench.ts';
import { median } from '../support/measure.ts';
import type { PeersOptions } from './options.ts';
import { progress, reason, roundFigures } from './progress.ts';
import type { PeerRow } from './table.ts';

const area = 'Saga on PostgreSQL';
const peer = 'hand-written SQL (pg)';

/** One row from each side's rates of every round, or a failed row. */
async function sagaRow(
  measure: string,
  unit: string,
  notes: string[],
  run: () => Promise<{ raw: readonly number[]; yard: readonly number[] }>,
): Promise<PeerRow> {
  const row = { area, measure: `${measure}, ${unit}`, better: 'higher', decimals: 0, peer } as const;
  try {
    const { raw, yard } = await run();
    notes.push(`${measure}: raw ${roundFigures(raw)}; Switchyard ${roundFigures(yard)} ${unit}`);
    return { ...row, switchyard: median(yard), peerFigure: median(raw) };
  } catch (error) {
    const failed = `failed: ${reason(error)}`;
    return { ...row, switchyard: failed, peerFigure: failed };
  }
}

export async function sagaRows(options: PeersOptions, notes: string[]): Promise<PeerRow[]> {
  progress(`Saga events: ${options.messages} events × ${options.runs} rounds a side`);
  const events = await sagaRow('saga event (inbox, load, update, audit row)', 'events/s', notes, async () => {
    const results = await measureSagaEvents({
      events: options.messages,
      runs: options.runs,
      rawLock: 'none',
    });
    return {
      raw: results.raw.map((each) => each.perSecond),
      yard: results.yard.map((each) => each.perSecond),
    };
  });
  progress(`Saga steps: ${options.messages} transactions × ${options.runs} rounds a side`);
  const steps = await sagaRow('saga step (find by key, update, outbox + inbox rows)', 'tx/s', notes, () =>
    measureSagaStepOnPostgres({ transactions: options.messages, runs: options.runs }),
  );
  return [events, steps];
}
