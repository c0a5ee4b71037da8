import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CoreConfigError } from './legacy-core-problems.ts';

const rate = z.number().min(0).max(1);
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour, UTC)');

/** Accounts the default core knows: 8 digits, 10000001 to 10000100 (customers) and 90000001 (the house). */
export const defaultAccounts: readonly string[] = [
  ...Array.from({ length: 100 }, (_, index) => String(10000001 + index)),
  '90000001',
];

/** Everything the core can be told, with defaults that make a well-behaved (slow but not flaky) core. */
export const coreConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port; the chosen one is returned by startLegacyCore and printed by main.ts. */
    port: z.number().int().min(0).max(65535).default(7011),
    /** Concurrent logged-on sessions; one more logon is refused with LGRJ|30. */
    maxSessions: z.number().int().min(1).max(256).default(4),
    /** The append-only journal the ledger lives in. */
    journalPath: z.string().min(1).default('.data/legacy-core/journal.dat'),
    /** Seeds latency and faults: the same seed and the same sequence of requests give the same run. */
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    /** Reply latency: lognormal around the median (sigma is the tail), capped at maxMs. */
    latency: z
      .object({
        medianMs: z.number().min(0).max(60_000).default(20),
        sigma: z.number().min(0).max(3).default(0.6),
        maxMs: z.number().min(0).max(600_000).default(2_000),
      })
      .prefault({}),
    /** Chances, per POST, of each fault; all off by default and together at most 1. */
    faults: z
      .object({
        /** Close the connection without booking. */
        dropBeforeBookingRate: rate.default(0),
        /** Book, then close the connection without replying. */
        lostReplyRate: rate.default(0),
        /** Book, then hold the reply for stallMs (beyond any sensible client timeout). */
        stallRate: rate.default(0),
        stallMs: z.number().int().min(0).max(600_000).default(5_000),
      })
      .prefault({})
      .refine((faults) => faults.dropBeforeBookingRate + faults.lostReplyRate + faults.stallRate <= 1, {
        message: 'the fault rates together must be at most 1',
      }),
    /** The nightly batch, in UTC; postings are refused in it (PSRJ|..|20). Null: no window. */
    batchWindow: z.object({ start: clockTime, end: clockTime }).nullable().default(null),
    /** A fixed business date (YYYYMMDD); by default today's UTC date. CTRL|DATE moves it. */
    businessDate: z
      .string()
      .regex(/^\d{8}$/, 'must be YYYYMMDD')
      .nullable()
      .default(null),
    accounts: z
      .array(z.string().regex(/^\d{8}$/, 'an account is 8 digits'))
      .min(1)
      .default([...defaultAccounts]),
    currencies: z
      .array(z.string().regex(/^[A-Z]{3}$/, 'a currency is 3 capital letters (ISO 4217)'))
      .min(1)
      .default(['GBP', 'USD', 'EUR', 'JPY', 'CHF']),
    /** Accept CTRL records (batch switch, forced faults, business date). A test core wants them. */
    controlEnabled: z.boolean().default(true),
  })
  .strict();

export type CoreConfig = z.output<typeof coreConfigSchema>;
export type CoreConfigInput = z.input<typeof coreConfigSchema>;

/** Validates a config; the error names the first broken path and its rule. */
export function parseCoreConfig(
  input: unknown,
  sources: ReadonlyMap<string, string> = new Map(),
): CoreConfig {
  const result = coreConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.join('.') || '(root)';
  // A list item (accounts.3) or a window part came from the variable that set the whole list.
  const keys = issue?.path.map(String) ?? [];
  const source = keys
    .map((_, index) => sources.get(keys.slice(0, keys.length - index).join('.')))
    .find(Boolean);
  throw new CoreConfigError(source ? `${path} (from ${source})` : path, issue?.message ?? 'invalid');
}

type Kind = 'string' | 'number' | 'boolean' | 'list' | 'window';

/** Each setting main.ts reads: its config path, environment variable and command-line flag. */
const settings: readonly { path: string; env: string; flag: string; kind: Kind }[] = [
  { path: 'host', env: 'LEGACY_CORE_HOST', flag: 'host', kind: 'string' },
  { path: 'port', env: 'LEGACY_CORE_PORT', flag: 'port', kind: 'number' },
  { path: 'maxSessions', env: 'LEGACY_CORE_MAX_SESSIONS', flag: 'max-sessions', kind: 'number' },
  { path: 'journalPath', env: 'LEGACY_CORE_JOURNAL', flag: 'journal', kind: 'string' },
  { path: 'seed', env: 'LEGACY_CORE_SEED', flag: 'seed', kind: 'number' },
  {
    path: 'latency.medianMs',
    env: 'LEGACY_CORE_LATENCY_MEDIAN_MS',
    flag: 'latency-median-ms',
    kind: 'number',
  },
  { path: 'latency.sigma', env: 'LEGACY_CORE_LATENCY_SIGMA', flag: 'latency-sigma', kind: 'number' },
  { path: 'latency.maxMs', env: 'LEGACY_CORE_LATENCY_MAX_MS', flag: 'latency-max-ms', kind: 'number' },
  {
    path: 'faults.dropBeforeBookingRate',
    env: 'LEGACY_CORE_FAULT_DROP_BEFORE_BOOKING',
    flag: 'fault-drop-before-booking',
    kind: 'number',
  },
  {
    path: 'faults.lostReplyRate',
    env: 'LEGACY_CORE_FAULT_LOST_REPLY',
    flag: 'fault-lost-reply',
    kind: 'number',
  },
  { path: 'faults.stallRate', env: 'LEGACY_CORE_FAULT_STALL', flag: 'fault-stall', kind: 'number' },
  { path: 'faults.stallMs', env: 'LEGACY_CORE_STALL_MS', flag: 'stall-ms', kind: 'number' },
  { path: 'batchWindow', env: 'LEGACY_CORE_BATCH_WINDOW', flag: 'batch-window', kind: 'window' },
  { path: 'businessDate', env: 'LEGACY_CORE_BUSINESS_DATE', flag: 'business-date', kind: 'string' },
  { path: 'accounts', env: 'LEGACY_CORE_ACCOUNTS', flag: 'accounts', kind: 'list' },
  { path: 'currencies', env: 'LEGACY_CORE_CURRENCIES', flag: 'currencies', kind: 'list' },
  { path: 'controlEnabled', env: 'LEGACY_CORE_CONTROL', flag: 'control', kind: 'boolean' },
];

function convert(text: string, kind: Kind): unknown {
  switch (kind) {
    case 'string':
      return text;
    case 'number':
      // An empty or non-numeric value becomes NaN, which the schema refuses by name.
      return text.trim() === '' ? Number.NaN : Number(text);
    case 'boolean':
      return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
    case 'list':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
    case 'window': {
      if (text === '' || text === 'off') return null;
      const [start = '', end = ''] = text.split('-');
      return { start, end };
    }
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    if (typeof child === 'object' && child !== null) node = child as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[keys[keys.length - 1] as string] = value;
}

/**
 * The config main.ts runs with: defaults, then environment variables, then flags (`--port 0`,
 * `--fault-lost-reply 0.05`, `--batch-window 23:30-00:30`). An unknown flag or a broken value is a
 * CoreConfigError naming the path, where the value came from and the rule.
 */
export function loadCoreConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): CoreConfig {
  const options = Object.fromEntries(settings.map((setting) => [setting.flag, { type: 'string' as const }]));
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CoreConfigError('(command line)', (error as Error).message);
  }
  const raw: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const setting of settings) {
    const fromFlag = flags[setting.flag];
    const fromEnv = env[setting.env];
    const text = typeof fromFlag === 'string' ? fromFlag : fromEnv;
    if (text === undefined) continue;
    setPath(raw, setting.path, convert(text, setting.kind));
    const source = typeof fromFlag === 'string' ? `--${setting.flag}` : setting.env;
    sources.set(setting.path, source);
    if (setting.kind === 'window') {
      sources.set(`${setting.path}.start`, source);
      sources.set(`${setting.path}.end`, source);
    }
  }
  return parseCoreConfig(raw, sources);
}
