import type { CoreConfig } from '../config.ts';

/** `auto` follows the configured window; `on` and `off` are an operator's (or a test's) override. */
export type BatchMode = 'auto' | 'on' | 'off';

function minutesOf(clock: string): number {
  const [hours = '0', minutes = '0'] = clock.split(':');
  return Number(hours) * 60 + Number(minutes);
}

/** Whether the nightly batch is running at `now` (UTC); a window may run over midnight (23:30-00:30). */
export function inBatchWindow(mode: BatchMode, window: CoreConfig['batchWindow'], now: Date): boolean {
  if (mode !== 'auto') return mode === 'on';
  if (!window) return false;
  const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
}
