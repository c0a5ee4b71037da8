import { consumer, defineMessage, receiveEndpoint, transactional, transactionOf } from '@switchyard/bus';
import { column, migration, type SqlTransaction } from '@switchyard/postgres';
import { z } from 'zod';
import { defineModule, ProblemError, route } from '../../src/index.ts';

export const SaveNote = defineMessage(
  'hosttest.notes.SaveNote',
  z.object({ id: z.string(), text: z.string() }),
);

const Note = z.object({ id: z.string().min(1).max(64), text: z.string().min(1).max(500) });

/**
 * A small module as the host tests run it: POST /notes sends SaveNote, whose consumer writes the note
 * in its module's schema (after `handleDelayMs`, to keep messages in flight at shutdown); GET reads it.
 */
export function notesModule(options: { handleDelayMs?: number } = {}) {
  return defineModule({
    name: 'notes',
    migrations: [
      migration(
        '0001_notes.sql',
        'create table notes (id text primary key, text text not null, trace_parent text, slot text, saved_at timestamptz not null default now());',
      ),
    ],
    endpoints: (services) => [
      receiveEndpoint('notes', {
        middleware: [transactional(services.transactional)],
        consumers: [
          consumer(SaveNote, async (note, context) => {
            if (options.handleDelayMs)
              await new Promise((resolve) => setTimeout(resolve, options.handleDelayMs));
            // Kept to show that the trace of the HTTP request that caused the note reached its consumer.
            const traceParent = context.envelope.headers.traceparent;
            // Kept to show which slot the conversation was bound to (by the request's affinity).
            const slot = context.envelope.headers['Switchyard-Slot'];
            await transactionOf<SqlTransaction>(context).query(
              `insert into ${services.schema}.notes (id, text, trace_parent, slot) values ($1, $2, $3, $4) on conflict (id) do nothing`,
              [
                note.id,
                note.text,
                typeof traceParent === 'string' ? traceParent : null,
                typeof slot === 'string' ? slot : null,
              ],
            );
          }),
        ],
      }),
    ],
    routes: (services) => [
      route({
        method: 'POST',
        url: '/notes',
        summary: 'Save a note (asynchronously)',
        tags: ['notes'],
        body: Note,
        responses: { 202: { description: 'Accepted; saved shortly' }, 400: { description: 'Invalid note' } },
        handler: async ({ body }) => {
          await services.bus.send('queue:notes', SaveNote, body);
          return { status: 202 };
        },
      }),
      route({
        method: 'GET',
        url: '/notes/:id',
        summary: 'Read a note',
        tags: ['notes'],
        params: z.object({ id: z.string() }),
        responses: {
          200: {
            description: 'The note',
            schema: Note.extend({ traceParent: z.string().optional(), slot: z.string().optional() }),
          },
          404: { description: 'No such note' },
        },
        handler: async ({ params }) => {
          const { rows } = await services.sql.query(
            `select id, text, trace_parent, slot from ${services.schema}.notes where id = $1`,
            [params.id],
          );
          const row = rows[0];
          if (!row) throw new ProblemError(404, 'Not Found', `No note "${params.id}"`);
          const traceParent = column.optionalText(row, 'trace_parent');
          const slot = column.optionalText(row, 'slot');
          const note = { id: column.text(row, 'id'), text: column.text(row, 'text') };
          return {
            status: 200,
            body: { ...note, ...(traceParent ? { traceParent } : {}), ...(slot ? { slot } : {}) },
          };
        },
      }),
    ],
    seed: async (services) => {
      await services.sql.query(
        `insert into ${services.schema}.notes (id, text) values ('welcome', 'Hello from the seed') on conflict do nothing`,
      );
    },
  });
}
