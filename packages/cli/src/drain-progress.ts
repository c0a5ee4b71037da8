import type { DrainProgress } from '@switchyard/slots';
import cliProgress from 'cli-progress';
import { slotLeft } from './slot-tables.ts';

/** Shows a wait for a slot to drain: what it held at the start against what is left. */
export interface DrainReporter {
  onProgress(progress: DrainProgress): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; elsewhere (a pipe, a CI log) a plain line each time what is left
 * changes, so the log shows the drain without a line per poll.
 */
export function drainReporter(stream: NodeJS.WritableStream, label: string): DrainReporter {
  if ((stream as { isTTY?: boolean }).isTTY) return barReporter(stream, label);
  let last: number | undefined;
  return {
    onProgress({ status, left, atStart }) {
      if (left === last) return;
      last = left;
      stream.write(`draining ${label}: ${left} left of ${atStart} (${slotLeft(status)})\n`);
    },
    stop() {},
  };
}

function barReporter(stream: NodeJS.WritableStream, label: string): DrainReporter {
  const bar = new cliProgress.SingleBar(
    {
      format: `draining ${label} {bar} {value}/{total} done, {left} left`,
      stream: stream as NodeJS.WriteStream,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let total = 0;
  return {
    onProgress({ left, atStart }) {
      // New work bound to the slot can arrive while it drains: the total grows rather than the bar go back.
      total = Math.max(total, atStart, left);
      if (!started) {
        bar.start(total, total - left, { left });
        started = true;
        return;
      }
      bar.setTotal(total);
      bar.update(total - left, { left });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
