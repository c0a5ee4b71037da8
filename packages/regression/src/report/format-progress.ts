import type { RunSummary } from '../store/capture-store.ts';
import { formatCount, plural } from './format-count.ts';

/**
 * One line for a run in progress, e.g. `compared 1,234/5,000 groups (24%) · 12 mismatches`. The
 * percentage rounds down so it reads 100% only when every group is compared.
 */
export function formatProgress(summary: RunSummary): string {
  const percent = summary.groups === 0 ? 0 : Math.floor((summary.compared / summary.groups) * 100);
  const parts = [
    `compared ${formatCount(summary.compared)}/${plural(summary.groups, 'group', 'groups')} (${percent}%)`,
    plural(summary.byOutcome.mismatch ?? 0, 'mismatch', 'mismatches'),
  ];
  const missing =
    (summary.byOutcome['missing-in-candidate'] ?? 0) + (summary.byOutcome['missing-in-baseline'] ?? 0);
  if (missing > 0) parts.push(`${formatCount(missing)} missing`);
  const errors = summary.byOutcome['reconciler-error'] ?? 0;
  if (errors > 0) parts.push(plural(errors, 'error', 'errors'));
  return parts.join(' · ');
}

/** `[#####-----]`: a bar `width` characters wide for the share of groups compared. */
export function progressBar(summary: RunSummary, width = 20): string {
  const share = summary.groups === 0 ? 0 : Math.min(1, summary.compared / summary.groups);
  const filled = Math.floor(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}
