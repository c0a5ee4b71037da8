import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

let installed = false;

/**
 * Lets trace context flow without a tracing SDK: a context manager so that the context a request's
 * handler runs in reaches the messages it sends, and the W3C propagator to read `traceparent`. An SDK
 * the application registers first keeps its own (the API refuses a second global).
 */
export function installTraceContext(): void {
  if (installed) return;
  installed = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}
