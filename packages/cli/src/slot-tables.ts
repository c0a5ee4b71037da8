import type { ServiceSlotStatus, SlotChange, SlotStatus } from '@switchyard/slots';
import type { TableView } from './output.ts';

/** `yard slots status`: one table per service, one row per slot. */
export function slotStatusTables(services: readonly ServiceSlotStatus[]): TableView[] {
  return services.map((service) => ({
    title: `${service.service}: live ${service.live}${service.previous ? `, previous ${service.previous}` : ''}`,
    head: [
      'service',
      'slot',
      'state',
      'version',
      'messages',
      'unacked',
      'consumers',
      'open conversations',
      'drained',
    ],
    rows: service.slots.map((slot) => [
      service.service,
      slot.slot,
      slotState(slot),
      slot.version ?? '—',
      slot.messages,
      slot.unacknowledged,
      slot.consumers,
      // Undefined: nothing counted them, which is not the same as none open.
      slot.openConversations ?? '?',
      slot.drained ? 'yes' : 'no',
    ]),
  }));
}

function slotState(slot: SlotStatus): string {
  if (slot.live) return 'live';
  if (slot.canaryPercent > 0) return `canary ${slot.canaryPercent}%`;
  return '—';
}

/** A change of one service's slots (switch, rollback, canary), before and after. */
export function slotChangeTable(change: SlotChange): TableView {
  const canary = (state: SlotChange['before']) =>
    state?.canary ? `${state.canary.slot} ${state.canary.percent}%` : '—';
  return {
    head: ['service', '', 'live', 'previous', 'canary'],
    rows: [
      [
        change.service,
        'before',
        change.before?.live ?? '—',
        change.before?.previous ?? '—',
        canary(change.before),
      ],
      [change.service, 'after', change.after.live, change.after.previous ?? '—', canary(change.after)],
    ],
  };
}

/** What a slot still holds, in words: "3 messages, 1 unacknowledged, ? open conversations". */
export function slotLeft(status: SlotStatus): string {
  const open = status.openConversations ?? '?';
  return `${status.messages} message(s), ${status.unacknowledged} unacknowledged, ${open} open conversation(s)`;
}
