import { migrateModules } from '@switchyard/host';
import type { CommandContext } from '../command-context.ts';
import { exitCodes } from '../exit-codes.ts';

/** `yard migrate`: applies Switchyard's and every module's migrations, and says what each applied. */
export async function migrateCommand(context: CommandContext): Promise<number> {
  // The one command besides start that may make the embedded database: that is what it is for.
  const reports = await context.withDatabase((sql) => migrateModules(sql, context.modules()), {
    create: true,
  });
  context.output.result(
    reports.map(({ owner, report }) => ({
      owner,
      applied: report.applied,
      alreadyApplied: report.alreadyApplied,
    })),
    {
      head: ['owner', 'applied now', 'already applied'],
      rows: reports.map(({ owner, report }) => [
        owner,
        report.applied.length > 0 ? report.applied.join(', ') : '—',
        report.alreadyApplied,
      ]),
    },
  );
  return exitCodes.ok;
}
