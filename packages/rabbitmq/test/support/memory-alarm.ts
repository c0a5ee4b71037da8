import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

// For fault tests only: the memory alarm blocks every publisher on the broker, so such tests run alone.
const run = promisify(execFile);

/** The broker's memory high watermark as `rabbitmqctl set_vm_memory_high_watermark` takes it back. */
export type MemoryWatermark = readonly string[];

/** Reads the current watermark: a fraction such as `0.4`, or `{absolute,N}` (bytes). */
export async function readMemoryWatermark(): Promise<MemoryWatermark> {
  const { stdout } = await run('rabbitmqctl', ['eval', 'vm_memory_monitor:get_vm_memory_high_watermark().'], {
    timeout: 30_000,
  });
  const text = stdout.trim();
  const absolute = /^\{absolute,\s*"?(\d+)"?\}$/.exec(text);
  if (absolute?.[1]) return ['absolute', absolute[1]];
  if (/^\d+(\.\d+)?$/.test(text)) return [text];
  throw new Error(`Cannot read the broker's memory high watermark from "${text}"; restore it by hand`);
}

/** Sets the watermark (for example `['0.0000001']` to raise the memory alarm at once). */
export async function setMemoryWatermark(watermark: MemoryWatermark): Promise<void> {
  await run('rabbitmqctl', ['set_vm_memory_high_watermark', ...watermark], { timeout: 30_000 });
}
