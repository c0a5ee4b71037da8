/** Rows under a header, with an optional title line above: what every command shows people. */
export interface TableView {
  readonly title?: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

/** Where a command writes: tables for people, JSON for scripts. */
export interface Output {
  readonly json: boolean;
  /** Writes `value` as JSON, or, for people, the table or tables made by the one renderer of `yard`. */
  result(value: unknown, tables?: TableView | readonly TableView[]): void;
  /** A line for people (goes to stderr with --json, so stdout stays parseable). */
  note(text: string): void;
  /** A line about where the command works (which database), always on stderr, beside the result. */
  info(text: string): void;
}

/**
 * The one table style of every `yard` command, so that a person reads them all alike and a table
 * pasted into an issue looks the same whichever command printed it: a box, a rule under the header,
 * none between rows (a plan has dozens), no colours (they garble pipes and logs).
 */
export function renderTable(view: TableView): string {
  // A cell is one line: a newline inside one would break the box.
  const cells = [view.head, ...view.rows].map((row) =>
    row.map((cell) => String(cell).replace(/\s*\n\s*/g, ' ')),
  );
  const widths = view.head.map((_, column) => Math.max(...cells.map((row) => widthOf(row[column] ?? ''))));
  const rule = (left: string, middle: string, right: string) =>
    `${left}${widths.map((width) => '─'.repeat(width + 2)).join(middle)}${right}`;
  const line = (row: readonly string[]) =>
    `│${widths.map((width, column) => ` ${pad(row[column] ?? '', width)} `).join('│')}│`;
  const [head = [], ...rows] = cells;
  const drawn = [
    rule('┌', '┬', '┐'),
    line(head),
    rule('├', '┼', '┤'),
    ...rows.map(line),
    rule('└', '┴', '┘'),
  ];
  return [...(view.title === undefined ? [] : [view.title]), ...drawn].join('\n');
}

/** Characters as a terminal shows them: `→`, `—` and `…` are one column each, as are the ASCII ones. */
function widthOf(text: string): number {
  return [...text].length;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(width - widthOf(text));
}

export function outputFor(
  json: boolean,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Output {
  return {
    json,
    result(value, tables) {
      if (json || !tables) {
        stdout.write(`${JSON.stringify(value, null, json ? 2 : undefined)}\n`);
        return;
      }
      const views: readonly TableView[] = Array.isArray(tables) ? tables : [tables as TableView];
      stdout.write(`${views.map(renderTable).join('\n\n')}\n`);
    },
    note(text) {
      (json ? stderr : stdout).write(`${text}\n`);
    },
    info(text) {
      stderr.write(`${text}\n`);
    },
  };
}
