/** One scenario's line in the fault table. */
export interface FaultRow {
  readonly scenario: string;
  /** Messages the system's consumers handled while the scenario ran (inbox records). */
  readonly messages: number;
  /** Requests accepted over HTTP, each owing effects the ledger checked. */
  readonly accepted: number;
  /** Requests the clients had to send again because the system failed them (no answer, 5xx). */
  readonly retried: number;
  readonly lost: number;
  readonly duplicated: number;
  /** From the end of the fault until a new customer's join had reached both processes. */
  readonly recoveredAfterMs: number;
}

/** The table the fault suite prints at the end, aligned for a terminal. */
export function formatFaultTable(rows: readonly FaultRow[]): string {
  const header = [
    'scenario',
    'messages',
    'accepted requests',
    'sent again',
    'lost',
    'duplicated',
    'recovered after',
  ];
  const body = rows.map((row) => [
    row.scenario,
    String(row.messages),
    String(row.accepted),
    String(row.retried),
    String(row.lost),
    String(row.duplicated),
    `${(row.recoveredAfterMs / 1000).toFixed(1)} s`,
  ]);
  const widths = header.map((title, index) =>
    Math.max(title.length, ...body.map((cells) => cells[index]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, index) =>
        index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
      )
      .join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}
