import { bounded, redactSecrets } from '@switchyard/host';
import { formatRoutingPlan, readSlotStatus, type SlotChange, type SlotStatus } from '@switchyard/slots';
import type { CommandContext } from '../command-context.ts';
import { drainReporter } from '../drain-progress.ts';
import { formatDuration, parseDuration } from '../duration.ts';
import { CliError, exitCodes } from '../exit-codes.ts';
import { explainFailure } from '../failure-messages.ts';
import { slotChangeTable, slotLeft, slotStatusTables } from '../slot-tables.ts';
import { type SlotTools, withSlotTools } from '../slot-tools.ts';
import { pause, stopSignal } from '../stop-signal.ts';

/** The streams a command that redraws or shows progress writes to, and what ends its watch. */
export interface Terminal {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Ends a `--watch` as SIGINT or SIGTERM does. */
  readonly signal?: AbortSignal | undefined;
}

/** How often `status --watch` redraws. */
const statusRefreshMs = 2_000;
/** What a switch waits for the old slot to drain unless --timeout says otherwise. */
export const defaultDrainTimeout = '10m';

/** `yard slots plan`: what a reconcile would change now; changes nothing. */
export async function slotsPlan(context: CommandContext): Promise<number> {
  return withSlotTools(context, 'yard slots plan', async ({ reconciler }) => {
    const { desired, plan } = await reconciler.plan();
    if (context.output.json) context.output.result({ desired, plan });
    else context.output.note(formatRoutingPlan(plan));
    return exitCodes.ok;
  });
}

/** `yard slots status [service] [--watch]`: each service's slots, from the desired state and the queues. */
export async function slotsStatus(
  context: CommandContext,
  service: string | undefined,
  options: { watch?: boolean },
  terminal: Terminal,
): Promise<number> {
  return withSlotTools(context, 'yard slots status', async (tools) => {
    if (!options.watch) {
      await drawStatus(context, tools, service);
      return exitCodes.ok;
    }
    const stop = stopSignal(terminal.signal);
    const redraw = (terminal.stdout as { isTTY?: boolean }).isTTY && !context.output.json;
    try {
      while (!stop.signal.aborted) {
        // On a terminal the table stays in place; in a log each refresh follows the last, with its time.
        if (redraw) terminal.stdout.write('\x1b[H\x1b[2J');
        else if (!context.output.json) context.output.note(new Date().toISOString());
        await drawStatus(context, tools, service);
        if (redraw) context.output.note(`Every ${formatDuration(statusRefreshMs)}; Ctrl-C to stop.`);
        await pause(statusRefreshMs, stop.signal);
      }
      return exitCodes.ok;
    } finally {
      stop.release();
    }
  });
}

async function drawStatus(context: CommandContext, tools: SlotTools, service: string | undefined) {
  const desired = await tools.desiredState.read();
  if (service !== undefined && !desired.services[service]) {
    throw new CliError(
      `The desired state (${tools.desiredState.description}) has no service "${service}" (services: ${Object.keys(desired.services).join(', ') || 'none'})`,
      exitCodes.notFound,
    );
  }
  const services = await readSlotStatus({
    management: tools.management,
    desired,
    catalogue: tools.catalogue,
    service,
    conversations: tools.conversations,
    amqpUrl: tools.url,
  });
  context.output.result(services, slotStatusTables(services));
  if (!context.output.json && services.length === 0)
    context.output.note(`The desired state (${tools.desiredState.description}) names no service yet.`);
}

/** Options of the commands that move a service's live slot and then wait for the old one to drain. */
export interface DrainOptions {
  readonly timeout?: string;
  /** False with --no-wait. */
  readonly wait?: boolean;
}

/** `yard slots switch SERVICE --to SLOT`. */
export async function slotsSwitch(
  context: CommandContext,
  service: string,
  options: DrainOptions & { to: string },
  terminal: Terminal,
): Promise<number> {
  const timeoutMs = parseDuration(options.timeout ?? defaultDrainTimeout, '--timeout');
  return withSlotTools(context, 'yard slots switch', async (tools) => {
    const change = await tools.operations.switchTo(service, options.to);
    return reportAndDrain(context, tools, change, { timeoutMs, wait: options.wait ?? true }, terminal);
  });
}

/** `yard slots rollback SERVICE`: back to the slot live before the last switch. */
export async function slotsRollback(
  context: CommandContext,
  service: string,
  options: DrainOptions,
  terminal: Terminal,
): Promise<number> {
  const timeoutMs = parseDuration(options.timeout ?? defaultDrainTimeout, '--timeout');
  return withSlotTools(context, 'yard slots rollback', async (tools) => {
    const change = await tools.operations.rollback(service);
    return reportAndDrain(context, tools, change, { timeoutMs, wait: options.wait ?? true }, terminal);
  });
}

/**
 * Shows the change and the routing steps that applied it, then waits for the slot that was live to
 * drain: exit 0 once it has (its processes can stop), 4 if it still holds work at the timeout.
 */
async function reportAndDrain(
  context: CommandContext,
  tools: SlotTools,
  change: SlotChange,
  options: { timeoutMs: number; wait: boolean },
  terminal: Terminal,
): Promise<number> {
  const { output } = context;
  const summary = {
    service: change.service,
    before: change.before,
    after: change.after,
    plan: change.pass.plan,
  };
  if (!output.json) {
    output.result(summary, slotChangeTable(change));
    showApplied(context, change);
  }
  // A switch to the slot already live (run again, say, to wait) waits for the one live before it.
  const old = change.before?.live === change.after.live ? change.after.previous : change.before?.live;
  let drain: SlotStatus | undefined;
  if (old !== undefined && old !== change.after.live && options.wait) {
    const reporter = drainReporter(terminal.stderr, `${change.service}@${old}`);
    try {
      drain = await tools.operations.waitForDrain(change.service, old, {
        timeoutMs: options.timeoutMs,
        onProgress: (progress) => reporter.onProgress(progress),
      });
    } finally {
      reporter.stop();
    }
  }
  if (output.json) output.result({ ...summary, drain });
  if (drain && !drain.drained) {
    throw new CliError(
      `${change.service}: slot ${old} is not drained after ${formatDuration(options.timeoutMs)}: ${slotLeft(drain)} left. The switch stands (live: ${change.after.live}); keep ${old}'s processes running and watch \`yard slots status\``,
      exitCodes.notDrained,
    );
  }
  if (drain) output.note(`${change.service}: slot ${old} is drained; its processes can stop.`);
  return exitCodes.ok;
}

/** The routing steps a change applied, as `yard slots plan` shows them. */
function showApplied(context: CommandContext, change: SlotChange): void {
  context.output.note(formatRoutingPlan(change.pass.plan));
  if (change.pass.plan.steps.length > 0) context.output.note('Applied.');
}

/** `yard slots canary SERVICE --slot SLOT --percent N`: a share of new conversations; 0 ends it. */
export async function slotsCanary(
  context: CommandContext,
  service: string,
  options: { slot: string; percent: string },
): Promise<number> {
  const percent = Number(options.percent);
  if (!Number.isInteger(percent) || percent < 0 || percent > 99) {
    throw new CliError(
      `--percent must be a whole number from 0 (ends the canary) to 99, got "${options.percent}"`,
      exitCodes.usage,
    );
  }
  return withSlotTools(context, 'yard slots canary', async ({ operations }) => {
    const change = await operations.canary(service, options.slot, percent);
    const summary = { service, before: change.before, after: change.after, plan: change.pass.plan };
    context.output.result(summary, slotChangeTable(change));
    if (!context.output.json) showApplied(context, change);
    return exitCodes.ok;
  });
}

/**
 * `yard slots reconcile [--watch]`: one pass (plan and apply), or, with --watch, a pass every
 * `slots.intervalMs` until SIGINT or SIGTERM, as a host with `slots.reconcile` runs them.
 */
export async function slotsReconcile(
  context: CommandContext,
  options: { watch?: boolean },
  terminal: Terminal,
): Promise<number> {
  return withSlotTools(context, 'yard slots reconcile', async (tools) => {
    if (!options.watch) {
      await reconcilePass(context, tools, { quietWhenSettled: false });
      return exitCodes.ok;
    }
    const stop = stopSignal(terminal.signal);
    try {
      let first = true;
      while (!stop.signal.aborted) {
        try {
          await reconcilePass(context, tools, { quietWhenSettled: !first });
        } catch (error) {
          // As the host's loop does: a failed pass is reported and tried again at the next.
          const explained = explainFailure(error, { kind: 'RabbitMQ', url: tools.url });
          const message = explained?.message ?? (error instanceof Error ? error.message : String(error));
          context.output.info(
            `${new Date().toISOString()} reconcile failed; trying again: ${bounded(redactSecrets(message))}`,
          );
        }
        first = false;
        await pause(context.config.slots.intervalMs, stop.signal);
      }
      context.output.note('Stopped.');
      return exitCodes.ok;
    } finally {
      stop.release();
    }
  });
}

async function reconcilePass(
  context: CommandContext,
  tools: SlotTools,
  options: { quietWhenSettled: boolean },
): Promise<void> {
  const pass = await tools.reconciler.reconcileOnce();
  if (pass.plan.steps.length === 0 && options.quietWhenSettled) return;
  const { output } = context;
  if (output.json) {
    output.result({ plan: pass.plan, drift: pass.drift, applied: pass.applied });
    return;
  }
  if (options.quietWhenSettled) output.note(new Date().toISOString());
  output.note(formatRoutingPlan(pass.plan));
  if (pass.drift.length > 0)
    output.note(`Repaired ${pass.drift.length} change(s) made outside the reconciler (drift).`);
  if (pass.plan.steps.length > 0) output.note('Applied.');
}
