/**
 * The peers table: one row per comparison, Switchyard's figure next to one peer's, as a Markdown
 * table so it can go into docs/BENCHMARKS.md as printed. The ratio is always Switchyard / peer; the
 * measure says which way is better and the last column says who is ahead, so latency rows (lower is
 * better) are not read the wrong way round.
 */

export interface PeerRow {
  readonly area: string;
  readonly measure: string;
  readonly better: 'higher' | 'lower';
  /** Decimals shown for both figures: 0 for rates, 2 for milliseconds. */
  readonly decimals: number;
  /** Switchyard's figure, or why there is none (the area failed). */
  readonly switchyard: number | string;
  readonly peer: string;
  /** The peer's figure, or why there is none ("not installable: …", "failed: …"). */
  readonly peerFigure: number | string;
}

function figure(value: number | string, decimals: number): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

function comparison(row: PeerRow): { ratio: string; ahead: string } {
  const { switchyard, peerFigure } = row;
  if (typeof switchyard !== 'number' || typeof peerFigure !== 'number') return { ratio: '—', ahead: '—' };
  const ratio = switchyard / peerFigure;
  if (!Number.isFinite(ratio)) return { ratio: 'n/a', ahead: '—' };
  const switchyardAhead = row.better === 'higher' ? ratio > 1 : ratio < 1;
  return { ratio: ratio.toFixed(2), ahead: ratio === 1 ? 'even' : switchyardAhead ? 'Switchyard' : 'peer' };
}

/** The rows as an aligned Markdown table. */
export function formatPeerTable(rows: readonly PeerRow[]): string {
  const header = [
    'area',
    'measure',
    'Switchyard',
    'peer',
    'peer figure',
    'ratio (Switchyard / peer)',
    'ahead',
  ];
  const numeric = [false, false, true, false, true, true, false];
  const cells = rows.map((row) => {
    const { ratio, ahead } = comparison(row);
    return [
      row.area,
      `${row.measure} (${row.better} is better)`,
      figure(row.switchyard, row.decimals),
      row.peer,
      figure(row.peerFigure, row.decimals),
      ratio,
      ahead,
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    `| ${values
      .map((value, column) =>
        numeric[column] ? value.padStart(widths[column] ?? 0) : value.padEnd(widths[column] ?? 0),
      )
      .join(' | ')} |\n`;
  const rule = `|${widths.map((width, column) => (numeric[column] ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|\n`;
  return line(header) + rule + cells.map(line).join('');
}
