/**
 * The RabbitMQ rows of the peers table: the throughput and latency benchmarks' own rounds (raw
 * amqplib, Switchyard), with @node-ts/bus added to the same rounds in two variants (as shipped, and
 * with TCP_NODELAY; see node-ts-bus.ts for why).
 *
 * As shipped, @node-ts/bus receives about 45 msg/s on this machine, so its throughput rounds move
 * at most 500 messages (its figure is its rate on those) to keep the run within minutes, and a
 * variant is left out of the latency rounds when its throughput is under a quarter of the latency
 * rate: a round would take minutes and measure only the backlog it builds. A variant closer to the
 * rate runs; if it falls behind, its latency says so.
 */
import { type LatencyRound, measureRabbitMqLatency } from '../rabbitmq-latency.bench.ts';
import { measureRabbitMqThroughput, type ThroughputRound } from '../rabbitmq-throughput.bench.ts';
import type { PeersOptions } from './options.ts';
import { progress, reason, roundFigures } from './progress.ts';
import type { PeerRow } from './table.ts';

type NodeTsRounds = { readonly throughput: ThroughputRound; readonly latency: LatencyRound };
type NodeTsFactory = (options: { readonly noDelay: boolean }) => NodeTsRounds;

/** One @node-ts/bus variant over the area: its rounds, or why it has no figures. */
class NodeTsPeer {
  readonly name: string;
  /** At most this many messages a throughput round, when it is too slow for the full count. */
  readonly cap: number | undefined;
  readonly rounds: NodeTsRounds | undefined;
  /** Why there are no figures: not installable, failed, or left out. */
  missing: string | undefined;
  throughput: number | undefined;

  constructor(name: string, cap: number | undefined, rounds: NodeTsRounds | string) {
    this.name = name;
    this.cap = cap;
    this.rounds = typeof rounds === 'string' ? undefined : rounds;
    this.missing = typeof rounds === 'string' ? rounds : undefined;
  }

  /** Runs one round; a failure is recorded and every later round of this peer is skipped. */
  async guarded<T>(fallback: T, run: (rounds: NodeTsRounds) => Promise<T>): Promise<T> {
    if (this.missing || !this.rounds) return fallback;
    try {
      return await run(this.rounds);
    } catch (error) {
      this.missing = `failed: ${reason(error)}`;
      progress(`${this.name} ${this.missing}; its remaining rounds are skipped`);
      return fallback;
    }
  }

  /** A throughput round of `count` messages, or of `cap` timed as if at the same rate for `count`. */
  readonly throughputRound: ThroughputRound = (count) =>
    this.guarded(Number.NaN, async (rounds) => {
      const moved = Math.min(count, this.cap ?? count);
      return (await rounds.throughput(moved)) * (count / moved);
    });

  readonly latencyRound: LatencyRound = (rate, total) =>
    this.guarded([] as number[], (rounds) => rounds.latency(rate, total));
}

/** The module's rounds, or why it (and so the packages it imports) would not load. */
async function loadNodeTsBus(): Promise<NodeTsFactory | string> {
  try {
    return (await import('./node-ts-bus.ts')).nodeTsBus;
  } catch (error) {
    return `not installable: ${reason(error)}`;
  }
}

export async function rabbitMqRows(options: PeersOptions, notes: string[]): Promise<PeerRow[]> {
  const area = 'RabbitMQ bus';
  const asShippedCap = 500;
  const factory = await loadNodeTsBus();
  const peers = [
    new NodeTsPeer(
      `@node-ts/bus as shipped (≤${asShippedCap} msgs a round)`,
      asShippedCap,
      typeof factory === 'string' ? factory : factory({ noDelay: false }),
    ),
    new NodeTsPeer(
      '@node-ts/bus + TCP_NODELAY',
      undefined,
      typeof factory === 'string' ? factory : factory({ noDelay: true }),
    ),
  ];
  const rows: PeerRow[] = [];

  const throughput = {
    area,
    measure: 'publish → consume → ack, persistent 1 KB, confirms, msg/s',
    better: 'higher',
    decimals: 0,
  } as const;
  progress(`RabbitMQ throughput: ${options.messages} messages × ${options.runs} rounds a path`);
  try {
    const [raw, yard, ...peerRates] = await measureRabbitMqThroughput({
      messages: options.messages,
      runs: options.runs,
      peers: peers
        .filter((peer) => peer.rounds)
        .map((peer) => ({ name: peer.name, round: peer.throughputRound })),
    });
    const switchyard = yard?.perSecond ?? Number.NaN;
    rows.push({ ...throughput, switchyard, peer: 'raw amqplib', peerFigure: raw?.perSecond ?? Number.NaN });
    for (const peer of peers) {
      peer.throughput = peerRates.find((path) => path.name === peer.name)?.perSecond;
      rows.push({
        ...throughput,
        switchyard,
        peer: peer.name,
        peerFigure: peer.missing ?? peer.throughput ?? Number.NaN,
      });
    }
    for (const path of [raw, yard, ...peerRates]) {
      if (path) notes.push(`RabbitMQ throughput, ${path.name}: ${roundFigures(path.rounds)} msg/s`);
    }
  } catch (error) {
    const failed = `failed: ${reason(error)}`;
    for (const peer of ['raw amqplib', ...peers.map((each) => each.name)]) {
      rows.push({ ...throughput, switchyard: failed, peer, peerFigure: failed });
    }
  }

  const rate = options.rate.toLocaleString('en-US');
  for (const peer of peers) {
    if (peer.missing) continue;
    if (peer.throughput === undefined || !(peer.throughput * 4 >= options.rate)) {
      const most = peer.throughput === undefined ? 'unknown' : peer.throughput.toFixed(0);
      peer.missing = `not measured: receives ${most} msg/s, far below the rate`;
    }
  }
  const latency = (p: 'p50' | 'p99') =>
    ({ area, measure: `${p} send → handler at ${rate} msg/s, ms`, better: 'lower', decimals: 2 }) as const;
  progress(
    `RabbitMQ latency: ${options.messages} messages at ${options.rate} msg/s × ${options.runs} rounds a path`,
  );
  try {
    const [raw, yard, ...peerLatencies] = await measureRabbitMqLatency({
      rate: options.rate,
      total: options.messages,
      runs: options.runs,
      peers: peers
        .filter((peer) => !peer.missing)
        .map((peer) => ({ name: peer.name, round: peer.latencyRound })),
    });
    for (const p of ['p50', 'p99'] as const) {
      const switchyard = yard?.[p] ?? Number.NaN;
      rows.push({ ...latency(p), switchyard, peer: 'raw amqplib', peerFigure: raw?.[p] ?? Number.NaN });
      for (const peer of peers) {
        const own = peerLatencies.find((path) => path.name === peer.name);
        rows.push({
          ...latency(p),
          switchyard,
          peer: peer.name,
          peerFigure: peer.missing ?? own?.[p] ?? Number.NaN,
        });
      }
    }
    for (const path of [raw, yard, ...peerLatencies]) {
      if (path) {
        const rounds = path.rounds
          .map((round) => `${round.p50.toFixed(2)}/${round.p99.toFixed(2)}`)
          .join(' ');
        notes.push(`RabbitMQ latency, ${path.name}: ${rounds} ms (p50/p99)`);
      }
    }
  } catch (error) {
    const failed = `failed: ${reason(error)}`;
    for (const p of ['p50', 'p99'] as const) {
      for (const peer of ['raw amqplib', ...peers.map((each) => each.name)]) {
        rows.push({ ...latency(p), switchyard: failed, peer, peerFigure: failed });
      }
    }
  }
  return rows;
}
