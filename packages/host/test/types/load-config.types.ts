// Type tests of loadConfig's output type: checked by `npm run typecheck`, never run. An inference that
// regresses turns an `Expect<Equal<…>>` or an `@ts-expect-error` line into a type error.
import { type HostConfig, type hostConfigSchema, loadConfig } from '@switchyard/host';
import { z } from 'zod';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

const appSchema = z.object({
  port: z.number().int().default(3000),
  region: z.enum(['UK', 'US']),
  limits: z.object({ perMinute: z.number().optional() }).prefault({}),
});

const loaded = loadConfig(appSchema);
// The schema's output, defaults applied: what the caller reads, not what the file holds.
export type ConfigIsTheSchemaOutput = Expect<
  Equal<
    typeof loaded.config,
    { port: number; region: 'UK' | 'US'; limits: { perMinute?: number | undefined } }
  >
>;
export type SourceOfNamesAPath = Expect<Equal<Parameters<typeof loaded.sourceOf>, [path: string]>>;
export type HostConfigIsTheHostSchemaOutput = Expect<
  Equal<ReturnType<typeof loadConfig<typeof hostConfigSchema>>['config'], HostConfig>
>;

// @ts-expect-error the output is typed: no such setting
loaded.config.hostname;
// @ts-expect-error a region is one of the enum's values
export const wrongRegion: typeof loaded.config.region = 'EU';
// @ts-expect-error loadConfig takes a zod schema, not a plain object
loadConfig({ port: 3000 });
