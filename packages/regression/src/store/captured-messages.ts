import type { CapturedMessage, CaptureEnvironment } from '../captured-message.ts';
import type { CaptureStore } from './capture-store.ts';

/** One environment's captures of a run in capture order, read a page at a time: memory holds one page. */
export async function* capturedMessages(
  store: CaptureStore,
  run: string,
  environment: CaptureEnvironment,
  pageSize = 1_000,
): AsyncGenerator<CapturedMessage> {
  let after: number | undefined;
  do {
    const page = await store.capturedInOrder(run, environment, { after, limit: pageSize });
    yield* page.messages;
    after = page.next;
  } while (after !== undefined);
}
