import { ConfigurationError, consumer, receiveEndpoint } from '@switchyard/bus';
import { defineModule, type ModuleDefinition } from '@switchyard/host';
import { loadMigrations } from '@switchyard/postgres';
import { bookPostings } from './book-postings.ts';
import { BookPostings } from './contracts.ts';
import type { CoreLedger } from './core-ledger.ts';

const migrations = await loadMigrations(new URL('./migrations/', import.meta.url));

/** The queue booking takes its commands from. */
export const bookingEndpoint = 'booking-postings';

export interface BookingModuleOptions {
  readonly core: CoreLedger;
  /**
   * Commands worked at once. Twice the core's sessions keeps every session busy: while one command
   * writes its journal between two calls to the core, another already waits for its session (the
   * client queues calls for a free session, and one that gets none in time was never sent).
   */
  readonly concurrency: number;
  /** See BookPostingsOptions.inDoubtMs: the client's timeout plus the core's longest booking time. */
  readonly inDoubtMs: number;
  /** How long to wait before trying again when the core is closed or unreachable (default 5 s). */
  readonly retryAfterMs?: number;
}

/**
 * Booking: the one module that talks to the core ledger. It books each posting the trades ask for
 * exactly once (its journal and the core's enquiry decide what a lost answer means) and answers each
 * with PostingBooked or PostingRejected.
 */
export function bookingModule(options: BookingModuleOptions): ModuleDefinition {
  for (const [name, value] of Object.entries({
    concurrency: options.concurrency,
    inDoubtMs: options.inDoubtMs,
    retryAfterMs: options.retryAfterMs ?? 5_000,
  })) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ConfigurationError(
        `bookingModule ${name} must be a whole number of at least 1, got ${value}`,
      );
    }
  }
  return defineModule({
    name: 'booking',
    migrations,
    endpoints: (services) => [
      receiveEndpoint(bookingEndpoint, {
        concurrency: options.concurrency,
        consumers: [
          consumer(
            BookPostings,
            bookPostings(services, {
              core: options.core,
              endpoint: bookingEndpoint,
              inDoubtMs: options.inDoubtMs,
              retryAfterMs: options.retryAfterMs ?? 5_000,
            }),
          ),
        ],
      }),
    ],
  });
}
