import { z } from 'zod';
import { DesiredStateError } from '../slots-errors.ts';
import {
  type CanaryShare,
  type DesiredSlots,
  defaultSlotNames,
  type ServiceCatalogue,
  type ServiceSlots,
} from './desired-state.ts';
import { describeValue, pathText } from './state-paths.ts';

// The same rule as @switchyard/bus's checkSlotName; re-expressed so the error reads as a rule of this
// document (with its path) rather than a bus configuration error.
const slotNamePattern = /^[a-z][a-z0-9-]{0,30}$/;
const slotNameRule = 'a lower-case letter, then up to 30 lower-case letters, digits or "-"';

/** The words for a value that is not the kind expected, e.g. `is 3, not a string`. */
const notA =
  (what: string) =>
  (issue: { code?: string; input?: unknown }): string | undefined =>
    issue.code === 'invalid_type' ? `is ${describeValue(issue.input)}, not ${what}` : undefined;

/** Refuses unknown keys by name, listing the ones the mapping may have. */
const mappingOf = <Shape extends z.ZodRawShape>(what: string, shape: Shape) => {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((key) => `"${key}"`).join(', ');
        return `has unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}; ${what} may have only ${known}`;
      }
      return notA(`${what} (a mapping of ${known})`)(issue);
    },
  });
};

const slotName = z.string({ error: notA('a slot name') });

const canarySchema = mappingOf('a canary', {
  slot: slotName,
  percent: z
    .number({ error: notA('a whole percent from 1 to 99') })
    .refine((value) => Number.isInteger(value) && value >= 1 && value <= 99, {
      error: (issue) => `is ${describeValue(issue.input)}, not a whole percent from 1 to 99`,
    }),
});

const versionsSchema = z.record(
  z.string(),
  z
    .string({
      error: (issue) =>
        typeof issue.input === 'number'
          ? `is the number ${issue.input}, not a version; quote a version that looks like a number ("2026.10")`
          : notA('a version (a non-empty string)')(issue),
    })
    .min(1, {
      error: 'is empty, not a version (a non-empty string)',
    }),
  { error: notA('a mapping of slot → version') },
);

const serviceSchema = mappingOf('a service', {
  live: slotName,
  previous: slotName.nullish(),
  canary: canarySchema.nullish(),
  versions: versionsSchema.nullish(),
});

const documentSchema = mappingOf('the desired state', {
  slots: z.array(slotName, { error: notA('a list of slot names') }).nullish(),
  services: z
    .record(z.string(), serviceSchema, { error: notA('a mapping of service → its slots') })
    .nullish(),
});

/**
 * Checks a desired state read from `source` (a file path or table name, for messages) and returns it
 * typed. The first problem found throws DesiredStateError with its path (`services.billing.live`) and
 * the rule in plain words. With a catalogue, a service the application does not have is refused.
 */
export function parseDesiredState(raw: unknown, source: string, catalogue?: ServiceCatalogue): DesiredSlots {
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new DesiredStateError(
      source,
      pathText(first?.path ?? []),
      first?.message ?? 'is not a desired state',
    );
  }
  const slots = checkSlots(parsed.data.slots ?? defaultSlotNames, source);
  const services: Record<string, ServiceSlots> = {};
  for (const [name, entry] of Object.entries(parsed.data.services ?? {})) {
    services[name] = checkService(name, entry, slots, source, catalogue);
  }
  return { slots, services };
}

function checkSlots(slots: readonly string[], source: string): readonly string[] {
  if (slots.length === 0) {
    throw new DesiredStateError(
      source,
      'slots',
      'is empty; list at least one slot name (or leave it out for blue, green)',
    );
  }
  const seen = new Set<string>();
  slots.forEach((slot, index) => {
    if (!slotNamePattern.test(slot)) {
      throw new DesiredStateError(
        source,
        `slots[${index}]`,
        `is "${slot}", not a slot name: ${slotNameRule}`,
      );
    }
    if (seen.has(slot)) {
      throw new DesiredStateError(source, `slots[${index}]`, `repeats "${slot}"; list each slot once`);
    }
    seen.add(slot);
  });
  return [...slots];
}

interface RawService {
  readonly live: string;
  readonly previous?: string | null | undefined;
  readonly canary?: { readonly slot: string; readonly percent: number } | null | undefined;
  readonly versions?: Readonly<Record<string, string>> | null | undefined;
}

function checkService(
  name: string,
  entry: RawService,
  slots: readonly string[],
  source: string,
  catalogue: ServiceCatalogue | undefined,
): ServiceSlots {
  const at = (field?: string) => pathText(['services', name, ...(field ? field.split('.') : [])]);
  if (name.length === 0)
    throw new DesiredStateError(source, 'services', 'names a service ""; name each service');
  if (catalogue && !Object.hasOwn(catalogue.services, name)) {
    const known = Object.keys(catalogue.services).sort();
    throw new DesiredStateError(
      source,
      at(),
      `is not a service of this application (its services: ${known.length > 0 ? known.join(', ') : 'none'})`,
    );
  }
  const oneOfSlots = (value: string) => `is "${value}", not one of the slots (${slots.join(', ')})`;
  if (!slots.includes(entry.live)) throw new DesiredStateError(source, at('live'), oneOfSlots(entry.live));
  // Null (an empty `previous:` in YAML) means none, as for a canary.
  const previous = entry.previous ?? undefined;
  if (previous !== undefined) {
    if (!slots.includes(previous)) throw new DesiredStateError(source, at('previous'), oneOfSlots(previous));
    // A rollback to the live slot would change nothing: a previous slot equal to live is a mistake.
    if (previous === entry.live) {
      throw new DesiredStateError(
        source,
        at('previous'),
        `is "${previous}", the live slot; previous names the slot live before it (or remove it)`,
      );
    }
  }
  let canary: CanaryShare | undefined;
  if (entry.canary) {
    const { slot, percent } = entry.canary;
    if (!slots.includes(slot)) throw new DesiredStateError(source, at('canary.slot'), oneOfSlots(slot));
    if (slot === entry.live) {
      throw new DesiredStateError(
        source,
        at('canary.slot'),
        `is "${slot}", the live slot; a canary goes to another slot (or remove the canary)`,
      );
    }
    canary = { slot, percent };
  }
  let versions: Record<string, string> | undefined;
  if (entry.versions) {
    for (const slot of Object.keys(entry.versions)) {
      if (!slots.includes(slot)) {
        throw new DesiredStateError(
          source,
          pathText(['services', name, 'versions', slot]),
          `names slot "${slot}", not one of the slots (${slots.join(', ')})`,
        );
      }
    }
    versions = { ...entry.versions };
  }
  return {
    live: entry.live,
    ...(previous !== undefined ? { previous } : {}),
    ...(canary ? { canary } : {}),
    ...(versions ? { versions } : {}),
  };
}
