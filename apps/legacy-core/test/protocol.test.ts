import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatReply,
  formatRequest,
  parseReply,
  parseRequest,
  RecordFormatError,
  splitRecords,
} from '../src/protocol/records.ts';

describe('protocol records', () => {
  it('reads a POST field by field and writes it back the same', () => {
    const line = 'POST|000017|ALLOC-42-1|10000001|90000001|000000000012500|GBP|20261208';
    const request = parseRequest(line);
    assert.deepEqual(request, {
      type: 'POST',
      messageNo: '000017',
      clientReference: 'ALLOC-42-1',
      debitAccount: '10000001',
      creditAccount: '90000001',
      amount: '000000000012500',
      currency: 'GBP',
      valueDate: '20261208',
    });
    assert.equal(formatRequest(request), line);
  });

  it('round-trips every reply the core sends', () => {
    const lines = [
      'LGOK|0003|20261207',
      'LGRJ|30|SESSION LIMIT 4 REACHED',
      'LGBY',
      'PSOK|000017|000042|20261207',
      'PSRJ|000017|10|R03|CURRENCY UNKNOWN',
      'PSRJ|000018|20|BW|BATCH WINDOW',
      'ENHD|000019|0002',
      'ENLN|000019|000001|20261207|ALLOC-1|10000001|90000001|000000000012500|GBP|20261208',
      'AUHD|000020|00000002|001',
      'AUCY|000020|GBP|000000000000025000|000000000000025000',
      'AULN|000020|000002|20261207|ALLOC-1|10000001|90000001|000000000012500|GBP|20261208',
      'CTOK|BATCH ON',
      'ERRR|90|UNKNOWN RECORD TYPE XXXX',
    ];
    for (const line of lines) assert.equal(formatReply(parseReply(line)), line);
  });

  it('refuses malformed records with a reason the core sends back', () => {
    const cases: [string, RegExp][] = [
      ['XXXX|1', /UNKNOWN RECORD TYPE XXXX/],
      ['POST|000001|REF|10000001', /POST WANTS 7 FIELDS, GOT 3/],
      ['POST|17|REF|10000001|90000001|1|GBP|20261208', /MESSAGE NUMBER MUST BE 6 DIGITS/],
      ['LGON|lower', /TERMINAL ID/],
      ['ENQR|000001|caf\u00e9', /NON PRINTABLE/],
      [`ENQR|000001|${'X'.repeat(600)}`, /RECORD TOO LONG/],
      ['', /UNKNOWN RECORD TYPE/],
    ];
    for (const [line, message] of cases) assert.throws(() => parseRequest(line), message, line.slice(0, 30));
    assert.throws(() => parseRequest('CTRL'), RecordFormatError);
    assert.throws(() => parseReply('PSOK|000001|ABC|20261207'), /SEQUENCE MUST BE DIGITS/);
  });

  it('cuts a stream at CRLF, keeps a partial record and spots a line that never ends', () => {
    assert.deepEqual(splitRecords('LGON|A\r\nENQR|000001|X\r\nPOS'), {
      records: ['LGON|A', 'ENQR|000001|X'],
      rest: 'POS',
      overflow: false,
    });
    assert.equal(splitRecords('X'.repeat(600)).overflow, true);
  });
});
