import { PostgresSagaStore } from '@switchyard/postgres';
import { SagaInspector, type SagaLookup } from '@switchyard/saga';
import type { CommandContext } from '../command-context.ts';
import { CliError, exitCodes } from '../exit-codes.ts';

/** `yard saga show <sagaType> <id | key=value>`: state, data and timeline of one instance. */
export async function showSaga(context: CommandContext, sagaType: string, key: string): Promise<number> {
  const sagas = context.app.sagas ?? [];
  const definition = sagas.find((each) => each.name === sagaType);
  if (!definition) {
    const known = sagas.map((each) => each.name).join(', ') || 'none';
    throw new CliError(`The app has no saga "${sagaType}" (sagas: ${known})`, exitCodes.usage);
  }
  const separator = key.indexOf('=');
  const lookup: SagaLookup =
    separator > 0 ? { key: key.slice(0, separator), value: key.slice(separator + 1) } : { id: key };
  const view = await context.withDatabase((sql) =>
    new SagaInspector(definition, { store: new PostgresSagaStore(sql), transactions: sql }).find(lookup),
  );
  if (!view) throw new CliError(`No ${sagaType} saga with ${key}`, exitCodes.notFound);
  if (context.output.json) {
    context.output.result(view);
    return exitCodes.ok;
  }
  context.output.note(
    `${view.sagaType} ${view.id}: ${view.state ?? 'removed (finished)'}, version ${view.version ?? '—'}`,
  );
  if (Object.keys(view.keys).length > 0) context.output.note(`keys: ${JSON.stringify(view.keys)}`);
  if (view.data !== undefined) context.output.note(`data: ${JSON.stringify(view.data)}`);
  if (view.held.length > 0) {
    context.output.note(
      `holding ${view.held.length}: ${view.held.map((each) => `${each.event} (${each.reason})`).join(', ')}`,
    );
  }
  context.output.result(view.timeline, {
    head: ['at', 'event', 'from', 'to', 'message id'],
    rows: view.timeline.map((step) => [
      step.at.toISOString(),
      step.event,
      step.from ?? '—',
      step.to,
      step.messageId ?? '',
    ]),
  });
  return exitCodes.ok;
}
