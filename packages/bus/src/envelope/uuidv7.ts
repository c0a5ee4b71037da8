import { getRandomValues } from 'node:crypto';

let lastMillis = -1;
let counter = 0;

// Filling one large buffer is far cheaper than asking the OS for 16 bytes per id.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

/** The id's text is written here, byte by byte, then read out as one string: no pieces to join. */
const text = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1');
const hexDigits = Buffer.from('0123456789abcdef', 'latin1');

/** Writes `byte` as two hex digits at `offset` of the id's text. */
function putHex(offset: number, byte: number): void {
  text[offset] = hexDigits[(byte >>> 4) & 0x0f] as number;
  text[offset + 1] = hexDigits[byte & 0x0f] as number;
}

/** The offset of 16 fresh random bytes in `pool`, refilled when used up. */
function takeRandom16(): number {
  if (poolOffset + 16 > pool.length) {
    getRandomValues(pool);
    poolOffset = 0;
  }
  const offset = poolOffset;
  poolOffset += 16;
  return offset;
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Within one millisecond the
 * 12-bit `rand_a` field counts up, so ids made by one process sort in the order they were made; that
 * keeps message ids index-friendly in PostgreSQL and readable in logs.
 */
export function uuidv7(now: number = Date.now()): string {
  const at = takeRandom16();
  const random = (index: number) => pool[at + index] ?? 0;
  if (now > lastMillis) {
    lastMillis = now;
    counter = (random(6) & 0x07) * 256 + random(7); // start low in the range, leaving room to count
  } else {
    counter += 1;
    if (counter > 0xfff) {
      // Counter exhausted within one millisecond: borrow the next millisecond, as RFC 9562 allows.
      lastMillis += 1;
      counter = 0;
    }
  }
  const millis = lastMillis;
  putHex(0, Math.floor(millis / 2 ** 40));
  putHex(2, Math.floor(millis / 2 ** 32));
  putHex(4, millis >>> 24);
  putHex(6, millis >>> 16);
  putHex(9, millis >>> 8);
  putHex(11, millis);
  putHex(14, 0x70 | ((counter >>> 8) & 0x0f));
  putHex(16, counter);
  putHex(19, 0x80 | (random(8) & 0x3f));
  putHex(21, random(9));
  for (let index = 10; index < 16; index++) putHex(24 + (index - 10) * 2, random(index));
  return text.toString('latin1', 0, 36);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for any RFC 9562 UUID in its canonical text form (MassTransit's NewId GUIDs included). */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
