import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { JournalCorruptError, readLedger } from '../src/index.ts';
import { Ledger } from '../src/store/ledger.ts';

const posting = {
  clientReference: 'J-1',
  debitAccount: '10000001',
  creditAccount: '10000002',
  amount: '000000000000500',
  currency: 'EUR',
  valueDate: '20261208',
};

describe('journal', () => {
  it('cuts off a posting torn by a crash mid-write and books on after it', () => {
    const folder = mkdtempSync(join(tmpdir(), 'legacy-core-journal-'));
    const file = join(folder, 'journal.dat');
    try {
      const ledger = new Ledger(file);
      ledger.book(posting, '20261207', new Date());
      ledger.close();
      const whole = readFileSync(file, 'latin1');
      // A crash after the debit leg and half the credit leg of sequence 2.
      const [debit = '', credit = ''] = whole.split('\n');
      appendFileSync(file, `${debit.replace('|000001|', '|000002|')}\n${credit.slice(0, 20)}`);
      const reopened = new Ledger(file);
      assert.equal(reopened.postingCount, 1);
      assert.equal(readFileSync(file, 'latin1'), whole, 'the torn tail is gone from the file');
      assert.equal(reopened.book(posting, '20261207', new Date()).sequence, 2);
      reopened.close();
      const audit = readLedger(file);
      assert.equal(audit.balanced, true);
      assert.deepEqual(audit.totals, [{ currency: 'EUR', debits: 1_000n, credits: 1_000n }]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('will not start on a journal broken in the middle', () => {
    const folder = mkdtempSync(join(tmpdir(), 'legacy-core-journal-'));
    const file = join(folder, 'journal.dat');
    try {
      const ledger = new Ledger(file);
      for (let index = 0; index < 3; index++) ledger.book(posting, '20261207', new Date());
      ledger.close();
      const lines = readFileSync(file, 'latin1').split('\n');
      lines[1] = 'garbage';
      writeFileSync(file, lines.join('\n'));
      assert.throws(() => new Ledger(file), JournalCorruptError);
      assert.throws(
        () => readLedger(file),
        /journal\.dat:1: expected a debit leg followed by its credit leg/,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
