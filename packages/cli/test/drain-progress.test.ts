import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { DrainProgress, SlotStatus } from '@switchyard/slots';
import { drainReporter } from '../src/drain-progress.ts';

function progress(messages: number, unacknowledged: number, atStart: number): DrainProgress {
  const status: SlotStatus = {
    slot: 'blue',
    live: false,
    canaryPercent: 0,
    version: undefined,
    endpoints: [],
    messages,
    unacknowledged,
    consumers: 1,
    openConversations: undefined,
    drained: messages + unacknowledged === 0,
  };
  return { status, left: messages + unacknowledged, atStart };
}

function capture(tty: boolean): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  Object.assign(stream, { isTTY: tty, columns: 120 });
  let text = '';
  stream.on('data', (chunk) => {
    text += String(chunk);
  });
  return { stream, text: () => text };
}

describe('drain progress', () => {
  it('writes a plain line each time what is left changes, when the output is no terminal', () => {
    const { stream, text } = capture(false);
    const reporter = drainReporter(stream, 'billing@blue');
    for (const each of [progress(3, 1, 4), progress(3, 1, 4), progress(1, 0, 4), progress(0, 0, 4)])
      reporter.onProgress(each);
    reporter.stop();
    assert.equal(
      text(),
      [
        'draining billing@blue: 4 left of 4 (3 message(s), 1 unacknowledged, ? open conversation(s))',
        'draining billing@blue: 1 left of 4 (1 message(s), 0 unacknowledged, ? open conversation(s))',
        'draining billing@blue: 0 left of 4 (0 message(s), 0 unacknowledged, ? open conversation(s))',
        '',
      ].join('\n'),
    );
  });

  it('draws a bar of what is done against what there was on a terminal, growing when new work arrives', async () => {
    const { stream, text } = capture(true);
    const reporter = drainReporter(stream, 'billing@blue');
    // Apart as the polls of a drain are (a second), more than the bar's redraw throttle.
    for (const each of [progress(4, 0, 4), progress(1, 0, 4), progress(6, 0, 4), progress(0, 0, 4)]) {
      reporter.onProgress(each);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    reporter.stop();
    assert.match(text(), /draining billing@blue [█░]+ 0\/4 done, 4 left/);
    assert.match(text(), /draining billing@blue [█░]+ 3\/4 done, 1 left/);
    assert.match(text(), /draining billing@blue [█░]+ 0\/6 done, 6 left/);
    assert.match(text(), /draining billing@blue [█░]+ 6\/6 done, 0 left/);
  });
});
