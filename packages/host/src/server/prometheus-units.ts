import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** OpenTelemetry (UCUM) units and the words Prometheus ends a metric's name with for them. */
const unitWords: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  '%': 'percent',
};

/** The same, after "per": `1/s` is `per_second`. */
const perUnitWords: Readonly<Record<string, string>> = {
  d: 'day',
  h: 'hour',
  min: 'minute',
  s: 'second',
  ms: 'millisecond',
};

/**
 * The words a unit adds to a metric's name, as OpenTelemetry's Prometheus compatibility rules say:
 * `s` is `seconds`, `By` is `bytes`, `1/s` is `per_second`; an annotation (`{message}`) names no unit
 * and adds nothing, nor does a unit it does not know.
 */
export function prometheusUnitOf(unit: string): string | undefined {
  const bare = unit.replace(/\{[^}]*\}/g, '');
  const [over, under, ...more] = bare.split('/');
  if (more.length > 0) return undefined;
  if (under === undefined) return over === undefined ? undefined : unitWords[over];
  const per = perUnitWords[under];
  if (per === undefined) return undefined;
  if (over === '' || over === '1') return `per_${per}`;
  const words = over === undefined ? undefined : unitWords[over];
  return words === undefined ? undefined : `${words}_per_${per}`;
}

/**
 * `resourceMetrics` with each metric's unit at the end of its name (`process_memory_usage_bytes`,
 * `http_server_request_duration_seconds`), as Prometheus's naming practice expects: the exporter we
 * use writes the unit only in a `# UNIT` comment, which no query sees.
 */
export function withUnitSuffixes(resourceMetrics: ResourceMetrics): ResourceMetrics {
  return {
    ...resourceMetrics,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      ...scope,
      metrics: scope.metrics.map((metric) => {
        const unit = prometheusUnitOf(metric.descriptor.unit);
        if (unit === undefined) return metric;
        const { name } = metric.descriptor;
        const suffixed = name.replace(/[._]/g, '_').endsWith(`_${unit}`) ? name : `${name}.${unit}`;
        return { ...metric, descriptor: { ...metric.descriptor, name: suffixed, unit } };
      }),
    })),
  };
}
