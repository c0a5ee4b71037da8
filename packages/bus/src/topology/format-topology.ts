import type { Topology } from './topology.ts';

/** Renders a topology as three aligned plain-text tables: exchanges, queues and bindings. */
export function formatTopology(topology: Topology): string {
  const sections = [
    table(
      'Exchanges',
      ['name', 'role', 'type', 'durable', 'auto-delete'],
      topology.exchanges.map((exchange) => [
        exchange.name,
        exchange.role,
        'fanout',
        yesNo(exchange.durable),
        yesNo(exchange.autoDelete),
      ]),
    ),
    table(
      'Queues',
      ['name', 'role', 'queue type', 'durable', 'auto-delete'],
      topology.queues.map((queue) => [
        queue.name,
        queue.role,
        queue.queueType,
        yesNo(queue.durable),
        yesNo(queue.autoDelete),
      ]),
    ),
    table(
      'Bindings',
      ['source exchange', 'destination', 'destination type'],
      topology.bindings.map((binding) => [binding.source, binding.destination, binding.destinationType]),
    ),
  ];
  return sections.join('\n\n');
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

/** A titled table whose columns are as wide as their widest cell. */
export function table(
  title: string,
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const body = rows.length > 0 ? rows.map(line) : ['(none)'];
  return [`${title} (${rows.length})`, line(header), rule, ...body].join('\n');
}
