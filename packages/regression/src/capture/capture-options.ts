import type { Codec } from '@switchyard/bus';
import type { Logger } from 'pino';
import type { CaptureEnvironment } from '../captured-message.ts';
import type { GroupKeyOf } from '../store/capture-store.ts';

/** What a tap captures, and how it batches and retries. */
export interface CaptureOptions {
  readonly run: string;
  readonly environment: CaptureEnvironment;
  /** The exchanges (message types' fanout exchanges) whose messages are captured. */
  readonly exchanges: readonly string[];
  /** The capture queue's name; default `switchyard.regression.<run>.<environment>`. */
  readonly queue?: string;
  /** How messages are grouped; default correlation id, else conversation id, else message id. */
  readonly keyOf?: GroupKeyOf;
  /** Unacknowledged messages the tap may hold (default 500); while the store is down it holds no more. */
  readonly prefetch?: number;
  /** Messages per store write (default 200). */
  readonly batchSize?: number;
  /** How long a partial batch waits for more before it is written (default 50 ms). */
  readonly flushMs?: number;
  /** Backoff between store retries: doubles from `initialDelayMs` to `maxDelayMs` (100 ms, 5 s). */
  readonly retry?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  /** Codecs bodies are read with (default MassTransit JSON). */
  readonly codecs?: readonly Codec[];
  readonly logger?: Logger;
}
