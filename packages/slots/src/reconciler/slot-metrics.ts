import { type BatchObservableResult, metrics } from '@opentelemetry/api';
import type { DesiredSlots } from '../desired-state/desired-state.ts';

/** What the slots' gauges read from a reconciler, as of its last pass. */
export interface SlotFigures {
  readonly lastDesired: DesiredSlots | undefined;
  readonly driftRepaired: ReadonlyMap<string, number>;
  readonly drained: ReadonlyMap<string, ReadonlyMap<string, boolean>>;
}

/**
 * Live slot, canary share, drift repaired and drain state per service (and slot) as OpenTelemetry
 * instruments, read when metrics are collected. Returns a function that stops reporting.
 */
export function observeSlotMetrics(figures: SlotFigures): () => void {
  const meter = metrics.getMeter('@switchyard/slots');
  const liveSlot = meter.createObservableGauge('switchyard.slots.live', {
    description: '1 for the live slot of each service, 0 for its other slots',
  });
  const canaryShare = meter.createObservableGauge('switchyard.slots.canary_share', {
    description: 'Share of new conversations sent to the canary slot (0 to 1)',
  });
  const drift = meter.createObservableCounter('switchyard.slots.drift_repaired', {
    description: 'Routing changes found made outside the reconciler and repaired',
  });
  const drained = meter.createObservableGauge('switchyard.slots.drained', {
    description:
      '1 for a slot that is drained (not live nor canary, queues empty, no conversation open), else 0',
  });
  const callback = (result: BatchObservableResult) => {
    const desired = figures.lastDesired;
    if (!desired) return;
    for (const [service, state] of Object.entries(desired.services)) {
      for (const slot of desired.slots)
        result.observe(liveSlot, slot === state.live ? 1 : 0, { service, slot });
      result.observe(canaryShare, (state.canary?.percent ?? 0) / 100, {
        service,
        slot: state.canary?.slot ?? '',
      });
      result.observe(drift, figures.driftRepaired.get(service) ?? 0, { service });
      for (const [slot, isDrained] of figures.drained.get(service) ?? [])
        result.observe(drained, isDrained ? 1 : 0, { service, slot });
    }
  };
  const observables = [liveSlot, canaryShare, drift, drained];
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
