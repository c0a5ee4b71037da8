import { bounded, redactSecrets } from '@switchyard/bus';

/** One dependency `/health/ready` checks: resolves when it is usable, rejects (saying why) when not. */
export interface HealthCheck {
  readonly name: string;
  readonly check: () => Promise<void>;
}

/** The outcome of the readiness checks, as `/health/ready` reports it. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: readonly { readonly name: string; readonly ok: boolean; readonly detail?: string }[];
}

/** Runs every check at once, each bounded by `timeoutMs`, so one hung dependency cannot hang the probe. */
export async function checkReadiness(
  checks: readonly HealthCheck[],
  timeoutMs: number,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return { name, ok: true };
      } catch (error) {
        // A driver's message may quote its connection string: hidden, and cut short.
        const message = error instanceof Error ? error.message : String(error);
        return { name, ok: false, detail: bounded(redactSecrets(message), 300) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every((each) => each.ok), checks: results };
}
