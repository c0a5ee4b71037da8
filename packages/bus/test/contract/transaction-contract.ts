import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TransactionRunner } from '@switchyard/bus';

/** A fresh store with a way to write in a transaction and to read what committed. */
export interface TransactionFixture<Tx> {
  readonly database: TransactionRunner<Tx>;
  /** Writes `mark` in `tx`: it must be visible after `tx` commits, and never otherwise. */
  mark(tx: Tx, mark: string): Promise<void>;
  /** The marks committed so far, in any order. */
  committedMarks(): Promise<string[]>;
  dispose(): Promise<void>;
}

/**
 * The behaviour every TransactionRunner must show, above all with an abort signal: a transaction
 * whose signal aborted never commits, because whoever aborted it may already be running the same
 * work again.
 */
export function transactionContract<Tx>(
  name: string,
  createFixture: () => Promise<TransactionFixture<Tx>>,
): void {
  describe(`TransactionRunner contract: ${name}`, () => {
    let fixture: TransactionFixture<Tx>;
    const marks = async () => (await fixture.committedMarks()).sort();

    beforeEach(async () => {
      fixture = await createFixture();
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    it('commits work that resolves and rolls back work that throws, with a signal that never aborts', async () => {
      const { signal } = new AbortController();
      await fixture.database.transaction((tx) => fixture.mark(tx, 'kept'), { signal });
      await assert.rejects(
        fixture.database.transaction(
          async (tx) => {
            await fixture.mark(tx, 'lost');
            throw new Error('handler failed');
          },
          { signal },
        ),
        /handler failed/,
      );
      assert.deepEqual(await marks(), ['kept']);
    });

    it('does not commit work that resolved after its signal aborted, and rejects with the reason', async () => {
      const controller = new AbortController();
      const reason = new Error('attempt timed out');
      const outcome = fixture.database.transaction(
        async (tx) => {
          await fixture.mark(tx, 'late');
          controller.abort(reason);
          return 'finished anyway';
        },
        { signal: controller.signal },
      );
      await assert.rejects(outcome, (error: unknown) => error === reason);
      assert.deepEqual(await marks(), []);
    });

    it('rejects with the reason, not the error of work that failed because it was aborted', async () => {
      const controller = new AbortController();
      const reason = new Error('attempt timed out');
      const outcome = fixture.database.transaction(
        async (tx) => {
          await fixture.mark(tx, 'aborted');
          controller.abort(reason);
          throw new Error('noticed the abort');
        },
        { signal: controller.signal },
      );
      await assert.rejects(outcome, (error: unknown) => error === reason);
      assert.deepEqual(await marks(), []);
    });

    it('does not start work whose signal had already aborted', async () => {
      const reason = new Error('stopped before it began');
      let started = false;
      const outcome = fixture.database.transaction(
        async () => {
          started = true;
        },
        { signal: AbortSignal.abort(reason) },
      );
      await assert.rejects(outcome, (error: unknown) => error === reason);
      assert.equal(started, false);
    });

    it('runs the next transaction normally after an aborted one', async () => {
      const controller = new AbortController();
      await assert.rejects(
        fixture.database.transaction(
          async (tx) => {
            await fixture.mark(tx, 'aborted');
            controller.abort(new Error('timed out'));
          },
          { signal: controller.signal },
        ),
      );
      await fixture.database.transaction((tx) => fixture.mark(tx, 'next'));
      assert.deepEqual(await marks(), ['next']);
    });
  });
}
