/**
 * What the peers run says while it runs, on stderr so stdout holds only the header and the table:
 * the whole run takes minutes, and a failed area should say why in one line of its table cells.
 */

/** The first line of an error's message, for a table cell. */
export function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? 'unknown error';
}

export function progress(line: string): void {
  process.stderr.write(`[peers ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** The rates of some rounds, for the lines under the table ("—" for a round that failed). */
export function roundFigures(values: readonly number[], decimals = 0): string {
  return values.map((value) => (Number.isFinite(value) ? value.toFixed(decimals) : '—')).join(' ');
}
