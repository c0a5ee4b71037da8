import { migrate, openPglite, type SqlClient } from '@switchyard/postgres';
import { PostgresCaptureStore } from '../src/store/postgres-capture-store.ts';
import { regressionMigrations } from '../src/store/regression-migrations.ts';

export const run = 'r-report';

/** A store on in-memory PGlite with a run's messages and results recorded the way comparers do. */
export async function filledStore(): Promise<{ store: PostgresCaptureStore; client: SqlClient }> {
  const client = await openPglite();
  await migrate(client, await regressionMigrations());
  const store = new PostgresCaptureStore(client);
  const now = new Date().toISOString();
  const messages = [];
  for (let order = 1; order <= 12; order += 1) {
    for (const environment of ['baseline', 'candidate'] as const) {
      if (order === 11 && environment === 'candidate') continue;
      messages.push({
        run,
        environment,
        messageId: `${environment}-o-${order}`,
        correlationId: `o-${order}`,
        conversationId: undefined,
        messageType: 'urn:message:shop:InvoiceIssued',
        sentTime: now,
        capturedAt: now,
        message: { order },
        headers: {},
      });
      // A shipment after each invoice: 1 s later in the baseline, 1.5 s in the candidate, for the latency chart.
      messages.push({
        run,
        environment,
        messageId: `${environment}-s-${order}`,
        correlationId: `o-${order}`,
        conversationId: undefined,
        messageType: 'urn:message:shop:ShipmentBooked',
        sentTime: new Date(Date.parse(now) + (environment === 'baseline' ? 1_000 : 1_500)).toISOString(),
        capturedAt: now,
        message: { order },
        headers: {},
      });
    }
  }
  await store.append(messages);
  const invoice = 'urn:message:shop:InvoiceIssued';
  const shipment = 'urn:message:shop:ShipmentBooked';
  for (let order = 1; order <= 12; order += 1) {
    const groupKey = `o-${order}`;
    if (order <= 4) {
      await store.recordResult(run, groupKey, 'invoices', { kind: 'match' });
    } else if (order <= 9) {
      // Five mismatches: amounts in every one, line prices in two, a shipment date in one.
      const differences: {
        path: string;
        baseline: unknown;
        candidate: unknown;
        kind: string;
        messageType: string;
      }[] = [
        {
          path: 'amountMinor',
          baseline: 990,
          candidate: 1000 + order,
          kind: 'changed',
          messageType: invoice,
        },
      ];
      if (order <= 6) {
        differences.push(
          { path: `lines[${order}].price`, baseline: 1, candidate: 2, kind: 'changed', messageType: invoice },
          { path: 'lines[0].price', baseline: 1, candidate: 2, kind: 'changed', messageType: invoice },
        );
      }
      if (order === 9) {
        differences.push({
          path: 'date',
          baseline: '2026-01-01',
          candidate: '2026-01-02',
          kind: 'changed',
          messageType: shipment,
        });
      }
      await store.recordResult(run, groupKey, 'invoices', { kind: 'mismatch', differences });
    } else if (order === 10) {
      await store.recordResult(run, groupKey, 'invoices', {
        kind: 'reconciler-error',
        error: 'TypeError: x is undefined',
      });
    } else if (order === 11) {
      await store.recordResult(run, groupKey, 'invoices', { kind: 'missing-in-candidate' });
    } else {
      await store.recordResult(run, groupKey, '(none)', { kind: 'not-applicable' });
    }
  }
  return { store, client };
}

/** A store whose run only matched. */
export async function passingStore(): Promise<{ store: PostgresCaptureStore; client: SqlClient }> {
  const client = await openPglite();
  await migrate(client, await regressionMigrations());
  const store = new PostgresCaptureStore(client);
  await store.recordResult(run, 'o-1', 'invoices', { kind: 'match' });
  await store.recordResult(run, 'o-2', '(none)', { kind: 'not-applicable' });
  return { store, client };
}
