import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/** The process's metrics in Prometheus text format, from the OpenTelemetry instruments of every package. */
export interface PrometheusMetrics {
  render(): Promise<string>;
  shutdown(): Promise<void>;
}

/**
 * Registers a meter provider read by a Prometheus exporter (without its own server: the host serves
 * `/metrics`). The bus makes its instruments from whichever provider is registered, also later.
 */
export function startPrometheusMetrics(serviceName: string): PrometheusMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  metrics.setGlobalMeterProvider(provider);
  const meter = provider.getMeter('@switchyard/host');
  meter
    .createObservableGauge('process.memory.rss', {
      unit: 'By',
      description: 'Resident set size of the process',
    })
    .addCallback((result) => result.observe(process.memoryUsage.rss(), { service: serviceName }));
  const serializer = new PrometheusSerializer();
  return {
    async render() {
      const { resourceMetrics, errors } = await exporter.collect();
      if (errors.length > 0) throw new AggregateError(errors, 'Collecting metrics failed');
      return serializer.serialize(resourceMetrics);
    },
    async shutdown() {
      metrics.disable();
      await provider.shutdown();
    },
  };
}
