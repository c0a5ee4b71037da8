import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { withUnitSuffixes } from './prometheus-units.ts';

/** The process's metrics in Prometheus text format, from the OpenTelemetry instruments of every package. */
export interface PrometheusMetrics {
  render(): Promise<string>;
  shutdown(): Promise<void>;
}

/** Who the metrics are about: OpenTelemetry's `service.version` beside the service's name. */
export interface PrometheusMetricsOptions {
  readonly serviceVersion?: string;
}

/**
 * Registers a meter provider read by a Prometheus exporter (without its own server: the host serves
 * `/metrics`). The bus makes its instruments from whichever provider is registered, also later.
 * `serviceName` (an application's title, say) becomes the resource's `service.name`, which Prometheus
 * shows on `target_info`, in lower case with dashes for anything else than letters and digits.
 */
export function startPrometheusMetrics(
  serviceName: string,
  options: PrometheusMetricsOptions = {},
): PrometheusMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const resource = defaultResource().merge(
    resourceFromAttributes({
      'service.name': serviceNameOf(serviceName),
      ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
    }),
  );
  const provider = new MeterProvider({ resource, readers: [exporter] });
  metrics.setGlobalMeterProvider(provider);
  const meter = provider.getMeter('@switchyard/host');
  // The semantic conventions' name for the resident set size.
  meter
    .createObservableGauge('process.memory.usage', {
      unit: 'By',
      description: 'Physical memory the process holds (its resident set size)',
    })
    .addCallback((result) => result.observe(process.memoryUsage.rss()));
  const serializer = new PrometheusSerializer();
  return {
    async render() {
      const { resourceMetrics, errors } = await exporter.collect();
      if (errors.length > 0) throw new AggregateError(errors, 'Collecting metrics failed');
      return serializer.serialize(withUnitSuffixes(resourceMetrics));
    },
    async shutdown() {
      metrics.disable();
      await provider.shutdown();
    },
  };
}

/** A title such as "Milkround" as a service name: `milkround`. */
function serviceNameOf(title: string): string {
  const name = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return name === '' ? 'switchyard' : name;
}
