import { formatCount } from './format-count.ts';
import { xmlText } from './xml-text.ts';

export interface Bar {
  readonly label: string;
  readonly value: number;
}

/**
 * A horizontal bar chart as inline SVG, one `<rect class="bar">` per bar carrying its label and value
 * in data attributes, so the report needs no script and a test can count what was drawn.
 */
export function svgBarChart(bars: readonly Bar[], title: string): string {
  const rowHeight = 26;
  const labelWidth = 320;
  const barWidth = 360;
  const height = bars.length * rowHeight + 10;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const rows = bars.map((bar, index) => {
    const y = index * rowHeight + 5;
    const width = Math.max(2, Math.round((bar.value / max) * barWidth));
    const label = xmlText(bar.label.length > 48 ? `…${bar.label.slice(-47)}` : bar.label);
    return [
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${label}</text>`,
      `<rect class="bar" data-label="${xmlText(bar.label)}" data-value="${bar.value}" x="${labelWidth}" y="${y}" width="${width}" height="${rowHeight - 8}"><title>${xmlText(bar.label)}: ${formatCount(bar.value)}</title></rect>`,
      `<text x="${labelWidth + width + 6}" y="${y + 16}">${formatCount(bar.value)}</text>`,
    ].join('');
  });
  return `<svg class="chart" role="img" aria-label="${xmlText(title)}" viewBox="0 0 ${labelWidth + barWidth + 80} ${height}" width="${labelWidth + barWidth + 80}" height="${height}">${rows.join('')}</svg>`;
}

/** Columns over time: compared results in grey, failed ones in red on top, one `<rect class="column">` per interval. */
export function svgTimeChart(
  buckets: readonly { readonly start: string; readonly compared: number; readonly failed: number }[],
  title: string,
): string {
  const height = 160;
  const plot = 130;
  const columnWidth = Math.max(4, Math.min(24, Math.floor(700 / Math.max(1, buckets.length))));
  const max = Math.max(1, ...buckets.map((bucket) => bucket.compared));
  const columns = buckets.map((bucket, index) => {
    const x = 40 + index * columnWidth;
    const all = Math.round((bucket.compared / max) * plot);
    const failed = Math.round((bucket.failed / max) * plot);
    const tip = `<title>${xmlText(bucket.start)}: ${formatCount(bucket.compared)} compared, ${formatCount(bucket.failed)} failed</title>`;
    return (
      `<rect class="column" data-start="${xmlText(bucket.start)}" data-failed="${bucket.failed}" x="${x}" y="${10 + plot - all}" width="${columnWidth - 1}" height="${all}">${tip}</rect>` +
      `<rect class="column-failed" x="${x}" y="${10 + plot - failed}" width="${columnWidth - 1}" height="${failed}">${tip}</rect>`
    );
  });
  const width = 40 + buckets.length * columnWidth + 20;
  return `<svg class="chart" role="img" aria-label="${xmlText(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><text x="0" y="20">${formatCount(max)}</text><line x1="38" y1="${10 + plot}" x2="${width}" y2="${10 + plot}" stroke="#888"/>${columns.join('')}</svg>`;
}
