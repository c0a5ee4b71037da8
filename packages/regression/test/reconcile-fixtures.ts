import type { CapturedMessage, CaptureEnvironment } from '../src/captured-message.ts';

let sequence = 0;

/** A captured message with defaults; tests set only what their rule is about. */
export function captured(
  environment: CaptureEnvironment,
  messageType: string,
  message: unknown,
  overrides: Partial<CapturedMessage> = {},
): CapturedMessage {
  sequence += 1;
  return {
    run: 'run-1',
    environment,
    messageId: `m-${sequence}`,
    correlationId: 'c-1',
    conversationId: undefined,
    messageType,
    sentTime: `2026-01-01T00:00:${String(sequence % 60).padStart(2, '0')}.000Z`,
    capturedAt: '2026-01-01T00:01:00.000Z',
    message,
    headers: {},
    ...overrides,
  };
}
