import { getRandomValues } from 'node:crypto';

let lastMillis = -1;
let counter = 0;

// Filling one large buffer is far cheaper than asking the OS for 16 bytes per id.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

function randomBytes16(): Uint8Array {
  if (poolOffset + 16 > pool.length) {
    getRandomValues(pool);
    poolOffset = 0;
  }
  const bytes = pool.slice(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Within one millisecond the
 * 12-bit `rand_a` field counts up, so ids made by one process sort in the order they were made; that
 * keeps message ids index-friendly in PostgreSQL and readable in logs.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = randomBytes16();
  if (now > lastMillis) {
    lastMillis = now;
    counter = ((bytes[6] ?? 0) & 0x07) * 256 + (bytes[7] ?? 0); // start low in the range, leaving room to count
  } else {
    counter += 1;
    if (counter > 0xfff) {
      // Counter exhausted within one millisecond: borrow the next millisecond, as RFC 9562 allows.
      lastMillis += 1;
      counter = 0;
    }
  }
  const millis = lastMillis;
  bytes[0] = Math.floor(millis / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(millis / 2 ** 32) & 0xff;
  bytes[2] = (millis >>> 24) & 0xff;
  bytes[3] = (millis >>> 16) & 0xff;
  bytes[4] = (millis >>> 8) & 0xff;
  bytes[5] = millis & 0xff;
  bytes[6] = 0x70 | ((counter >>> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for any RFC 9562 UUID in its canonical text form (MassTransit's NewId GUIDs included). */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
