import { getRandomValues } from 'node:crypto';

let lastMillis = -1;
let counter = 0;

// Filling one large buffer is far cheaper than asking the OS for 16 bytes per id.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

/** Two hex digits per byte value, so an id is built without intermediate buffers or strings. */
const hexByte = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

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
  const hex = (byte: number) => hexByte[byte & 0xff] as string;
  return (
    hex(Math.floor(millis / 2 ** 40)) +
    hex(Math.floor(millis / 2 ** 32)) +
    hex(millis >>> 24) +
    hex(millis >>> 16) +
    '-' +
    hex(millis >>> 8) +
    hex(millis) +
    '-' +
    hex(0x70 | ((counter >>> 8) & 0x0f)) +
    hex(counter) +
    '-' +
    hex(0x80 | (random(8) & 0x3f)) +
    hex(random(9)) +
    '-' +
    hex(random(10)) +
    hex(random(11)) +
    hex(random(12)) +
    hex(random(13)) +
    hex(random(14)) +
    hex(random(15))
  );
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for any RFC 9562 UUID in its canonical text form (MassTransit's NewId GUIDs included). */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
