import Table from 'cli-table3';

/** Where a command writes: a table for people, JSON for scripts. */
export interface Output {
  readonly json: boolean;
  /** Writes `value` as JSON, or `table` rows under `head` for people. */
  result(value: unknown, table?: { head: string[]; rows: (string | number)[][] }): void;
  /** A line for people (goes to stderr with --json, so stdout stays parseable). */
  note(text: string): void;
}

export function outputFor(
  json: boolean,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Output {
  return {
    json,
    result(value, table) {
      if (json || !table) {
        stdout.write(`${JSON.stringify(value, null, json ? 2 : undefined)}\n`);
        return;
      }
      const rendered = new Table({ head: table.head, style: { head: [], border: [] } });
      rendered.push(...table.rows.map((row) => row.map(String)));
      stdout.write(`${rendered.toString()}\n`);
    },
    note(text) {
      (json ? stderr : stdout).write(`${text}\n`);
    },
  };
}
