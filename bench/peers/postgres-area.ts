/**
 * The PostgreSQL queue rows of the peers table: the transport benchmark as it is (Switchyard's
 * transport against pg-boss with a notifying queue and with a polling one, paths taking turns).
 */
import { measurePostgresTransport } from '../postgres-transport.bench.ts';
import type { PeersOptions } from './options.ts';
import { progress, reason, roundFigures } from './progress.ts';
import type { PeerRow } from './table.ts';

export async function postgresRows(options: PeersOptions, notes: string[]): Promise<PeerRow[]> {
  const row = {
    area: 'PostgreSQL queue',
    measure: 'send → consume → settle, 1 KB, msg/s',
    better: 'higher',
    decimals: 0,
  } as const;
  const peers = ['pg-boss, notify queue', 'pg-boss, polling queue'];
  progress(`PostgreSQL queue: ${options.messages} messages × ${options.runs} rounds a path`);
  try {
    const [yard, ...bosses] = await measurePostgresTransport({
      messages: options.messages,
      runs: options.runs,
    });
    for (const path of [yard, ...bosses]) {
      if (path) notes.push(`PostgreSQL queue, ${path.name}: ${roundFigures(path.rounds)} msg/s`);
    }
    const switchyard = yard?.perSecond ?? Number.NaN;
    return peers.map((peer, index) => ({
      ...row,
      switchyard,
      peer,
      peerFigure: bosses[index]?.perSecond ?? Number.NaN,
    }));
  } catch (error) {
    const failed = `failed: ${reason(error)}`;
    return peers.map((peer) => ({ ...row, switchyard: failed, peer, peerFigure: failed }));
  }
}
