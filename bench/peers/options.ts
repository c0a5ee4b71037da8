/** The peers run's command line: one scale for every area, and which areas to run. */
import { parseArgs } from 'node:util';

export const areas = ['rabbitmq', 'postgres', 'saga'] as const;
export type Area = (typeof areas)[number];

export interface PeersOptions {
  /** Messages, events or transactions a measured round. */
  readonly messages: number;
  /** Measured rounds a path, after one unmeasured round. */
  readonly runs: number;
  /** The latency benchmark's send rate, messages a second. */
  readonly rate: number;
  readonly only: ReadonlySet<Area>;
}

/** Reads `--messages`, `--runs`, `--rate` and `--only`; anything else is an error. */
export function parsePeersArguments(args: string[]): PeersOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      messages: { type: 'string', default: '10000' },
      runs: { type: 'string', default: '3' },
      rate: { type: 'string', default: '2000' },
      only: { type: 'string', default: areas.join(',') },
    },
  });
  const positive = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`--${name} must be a positive integer, got "${text}"`);
    }
    return value;
  };
  const only = new Set<Area>();
  for (const name of values.only.split(',')) {
    const area = areas.find((each) => each === name.trim());
    if (!area) throw new Error(`--only takes ${areas.join(', ')}; got "${name}"`);
    only.add(area);
  }
  return {
    messages: positive('messages', values.messages),
    runs: positive('runs', values.runs),
    rate: positive('rate', values.rate),
    only,
  };
}
