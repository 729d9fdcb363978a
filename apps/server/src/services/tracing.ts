import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { TracingConfig } from '../config.ts';

/** The process's trace SDK while it runs. */
export interface Tracing {
  /** Exports what is pending, then unregisters: the stages' spans are the API's no-op again. */
  shutdown(): Promise<void>;
}

/**
 * Registers the trace SDK for this process: spans to `exporter` (batched, or one by one with `simple`),
 * W3C `traceparent` propagation, and an AsyncLocalStorage context so a stage's spans nest under the span
 * active where they start. The stages use only the API, so until this runs they record nothing.
 */
export function startTracing(options: {
  readonly exporter: SpanExporter;
  readonly serviceName: string;
  readonly simple?: boolean;
  readonly scheduleDelayMs?: number;
}): Tracing {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const processor =
    options.simple === true
      ? new SimpleSpanProcessor({ exporter: options.exporter })
      : new BatchSpanProcessor({
          exporter: options.exporter,
          scheduledDelayMillis: options.scheduleDelayMs ?? 5000,
        });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [processor],
  });
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/**
 * Tracing as the standard variables ask: OTLP/HTTP export to their endpoint, or nothing at all (null:
 * no SDK, no context manager, and the stages' spans cost the API's no-op).
 */
export function tracingFromConfig(config: TracingConfig): Tracing | null {
  if (config.endpoint === null) return null;
  // The exporter reads the OTLP variables itself (endpoint, `/v1/traces`, headers, timeout).
  return startTracing({
    exporter: new OTLPTraceExporter(),
    serviceName: config.serviceName,
    scheduleDelayMs: config.scheduleDelayMs,
  });
}
