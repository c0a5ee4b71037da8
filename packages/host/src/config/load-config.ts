import { readFileSync } from 'node:fs';
import { bounded, redactSecrets, redactUrl } from '@switchyard/bus';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from './config-error.ts';

/** Where configuration comes from, beyond the schema's own defaults. */
export interface LoadConfigOptions {
  /** A JSON file, or a YAML file when the name ends in `.yaml` or `.yml`. */
  file?: string;
  /** Environment variables; `process.env` when absent. */
  env?: Record<string, string | undefined>;
  /** Prefix of the variables that set settings, as in `SWITCHYARD_HTTP__PORT`; `SWITCHYARD_` when absent. */
  envPrefix?: string;
  /** Well-known variable names and the dotted paths they set, e.g. `{ PORT: 'http.port' }`. */
  aliases?: Record<string, string>;
}

/** Validated configuration, and where each value came from. */
export interface LoadedConfig<T> {
  readonly config: T;
  /** `default`, `file <path>` or `env NAME` for a dotted path such as `http.port`. */
  sourceOf(path: string): string;
}

type Schema = z.core.$ZodType;
type Tree = Record<string, unknown>;

/** A schema path, resolved as far as the schema's object shapes go. */
type Resolution =
  | { kind: 'value'; keys: string[]; schema: Schema }
  | { kind: 'section' | 'unknown'; keys: string[]; known: Readonly<Record<string, Schema>> };

/**
 * Builds configuration from the schema's defaults, then `options.file`, then environment variables, and
 * validates it with `schema`. Throws one `ConfigError` listing every problem.
 */
export function loadConfig<S extends Schema>(
  schema: S,
  options: LoadConfigOptions = {},
): LoadedConfig<z.output<S>> {
  const issues: ConfigIssue[] = [];
  const sources = new Map<string, string>();
  let input: Tree = {};
  let fileFailed = false;
  if (options.file !== undefined) {
    const file = readConfigFile(options.file);
    input = file.tree;
    fileFailed = file.issues.length > 0;
    issues.push(...file.issues);
    recordSources(input, [], `file ${options.file}`, sources);
  }
  issues.push(...applyEnvironment(schema, options, input, sources));

  const sourceOf = (path: string): string => findSource(sources, path);
  const result = z.safeParse(schema, input, { error: describeIssue });
  if (result.success && issues.length === 0) return { config: result.data, sourceOf };
  for (const issue of result.error?.issues ?? []) {
    for (const found of toConfigIssues(issue, schema, input, sourceOf)) {
      // A value missing while the file could not be read may well be in that file: only report the rest.
      if (!fileFailed || found.source !== 'default') issues.push(found);
    }
  }
  throw new ConfigError(issues);
}

function readConfigFile(file: string): { tree: Tree; issues: ConfigIssue[] } {
  const source = `file ${file}`;
  const failure = (...messages: string[]) => ({
    tree: {},
    issues: messages.map((message) => ({ path: '', source, message })),
  });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return failure(`cannot be read (${describeFileError(error)}); check the path, or leave the file out`);
  }
  let data: unknown;
  if (/\.ya?ml$/i.test(file)) {
    const document = YAML.parseDocument(text);
    if (document.errors.length > 0) return failure(...document.errors.map(describeYamlError));
    data = document.toJS();
  } else {
    try {
      data = JSON.parse(text);
    } catch (error) {
      return failure(describeJsonError(error, text));
    }
  }
  if (data === null || data === undefined) return { tree: {}, issues: [] };
  if (!isTree(data)) return failure(`must hold a mapping of settings, got ${describeValue(data)}`);
  return { tree: data, issues: [] };
}

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (error as Error).message;
}

/** Where the JSON breaks, never the text around it: V8 quotes the file, and the file may hold a password. */
function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) {
    return /end of JSON input/.test(message)
      ? 'is not valid JSON: it ends before the data does'
      : 'is not valid JSON (its text is not shown, as it may hold secrets); check it with a JSON linter';
  }
  const before = text.slice(0, Number(position)).split('\n');
  return `is not valid JSON at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function describeYamlError(error: YAML.YAMLError): string {
  // The parser's message ends with its own position and a multi-line excerpt; keep the first line's reason,
  // which names what is wrong and may quote a word of the file: hide anything secret in it.
  const firstLine = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  const reason = bounded(redactSecrets(firstLine), 200);
  const at = error.linePos?.[0];
  return at
    ? `is not valid YAML at line ${at.line}, column ${at.col}: ${reason}`
    : `is not valid YAML: ${reason}`;
}

/** Applies aliases, then prefixed variables, so a prefixed variable wins over an alias for the same path. */
function applyEnvironment(
  schema: Schema,
  options: LoadConfigOptions,
  input: Tree,
  sources: Map<string, string>,
): ConfigIssue[] {
  const env = options.env ?? process.env;
  const prefix = options.envPrefix ?? 'SWITCHYARD_';
  const aliases = options.aliases ?? {};
  const issues: ConfigIssue[] = [];
  const settings: { name: string; resolution: Extract<Resolution, { kind: 'value' }> }[] = [];

  // Aliases are checked whether or not their variable is set, so a typo in the host's table shows at once.
  for (const [name, path] of Object.entries(aliases)) {
    const resolution = resolve(schema, path.split('.'), (key, segment) => key === segment);
    if (resolution.kind === 'value') settings.push({ name, resolution });
    else issues.push(unresolved(resolution, path, `alias ${name}`, pathSpelling));
  }
  for (const name of Object.keys(env).sort()) {
    if (env[name] === undefined || !name.startsWith(prefix) || Object.hasOwn(aliases, name)) continue;
    const segments = name.slice(prefix.length).split('__');
    const resolution = resolve(schema, segments, (key, segment) => toUpperSnake(key) === segment);
    const path = [...resolution.keys, ...segments.slice(resolution.keys.length).map(toCamel)].join('.');
    if (resolution.kind === 'value') settings.push({ name, resolution });
    else issues.push(unresolved(resolution, path, `env ${name}`, envSpelling(prefix)));
  }

  for (const { name, resolution } of settings) {
    const raw = env[name];
    // Shells and compose files write `NAME=` to mean "not set", so an empty value sets nothing.
    if (raw === undefined || raw === '') continue;
    setPath(input, resolution.keys, convert(raw, resolution.schema));
    sources.set(resolution.keys.join('.'), `env ${name}`);
  }
  return issues;
}

/** Walks `segments` down the schema's object shapes, matching each segment to a key with `matches`. */
function resolve(
  schema: Schema,
  segments: string[],
  matches: (key: string, segment: string) => boolean,
): Resolution {
  let node = schema;
  const keys: string[] = [];
  for (const segment of segments) {
    const known = shapeOf(node) ?? {};
    const entry = Object.entries(known).find(([key]) => matches(key, segment));
    if (!entry) return { kind: 'unknown', keys, known };
    keys.push(entry[0]);
    node = entry[1];
  }
  const known = shapeOf(node);
  return known ? { kind: 'section', keys, known } : { kind: 'value', keys, schema: node };
}

/** How names are spelled in a message: dotted paths, or environment variable names. */
interface Spelling {
  name(keys: string[]): string;
  /** Appended to a section's name, to show that it holds further settings. */
  below: string;
}

const pathSpelling: Spelling = { name: (keys) => keys.join('.'), below: '.*' };

function envSpelling(prefix: string): Spelling {
  return { name: (keys) => prefix + keys.map(toUpperSnake).join('__'), below: '__*' };
}

/** Explains a path that names no value, listing the settings that could have been meant. */
function unresolved(
  resolution: Exclude<Resolution, { kind: 'value' }>,
  path: string,
  source: string,
  spelling: Spelling,
): ConfigIssue {
  const candidates = Object.entries(resolution.known).map(([key, child]) => {
    const name = spelling.name([...resolution.keys, key]);
    return shapeOf(child) ? name + spelling.below : name;
  });
  const list = candidates.join(', ');
  if (resolution.kind === 'section') {
    return { path, source, message: `is a section, not a value; set one of ${list}` };
  }
  const hint = candidates.length > 0 ? `; expected one of ${list}` : '';
  return { path, source, message: `is not a known setting${hint}` };
}

function shapeOf(schema: Schema): Readonly<Record<string, Schema>> | undefined {
  const node = unwrap(schema);
  return node instanceof z.core.$ZodObject ? node._zod.def.shape : undefined;
}

/** The schema that parses the raw value, under optional, default, pipe and similar wrappers. */
function unwrap(schema: Schema): Schema {
  let node = schema;
  for (;;) {
    const def = node._zod.def;
    if ('innerType' in def) {
      node = def.innerType as Schema;
    } else if (node instanceof z.core.$ZodPipe) {
      // A preprocessing pipe starts with a transform: the schema after it says what the value should be.
      const { in: first, out } = node._zod.def;
      node = first instanceof z.core.$ZodTransform ? out : first;
    } else if (node instanceof z.core.$ZodLazy) {
      node = node._zod.def.getter();
    } else {
      return node;
    }
  }
}

/** The kinds of value a schema accepts, as far as turning an environment string into one goes. */
function valueKinds(schema: Schema): Set<'number' | 'boolean' | 'string'> {
  const node = unwrap(schema);
  if (node instanceof z.core.$ZodNumber) return new Set(['number']);
  if (node instanceof z.core.$ZodBoolean) return new Set(['boolean']);
  if (node instanceof z.core.$ZodUnion) {
    return new Set(node._zod.def.options.flatMap((option) => [...valueKinds(option)]));
  }
  return new Set(['string']);
}

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  yes: true,
  on: true,
  1: true,
  false: false,
  no: false,
  off: false,
  0: false,
};

/** The number or boolean the schema expects, else the string itself, for the schema to reject by its rule. */
function convert(raw: string, schema: Schema): unknown {
  const kinds = valueKinds(schema);
  const text = raw.trim();
  if (kinds.has('number') && text !== '' && Number.isFinite(Number(text))) return Number(text);
  const word = BOOLEAN_WORDS[text.toLowerCase()];
  if (kinds.has('boolean') && word !== undefined) return word;
  return raw;
}

function toConfigIssues(
  issue: z.core.$ZodIssue,
  schema: Schema,
  input: Tree,
  sourceOf: (path: string) => string,
): ConfigIssue[] {
  const keys = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const parent = resolve(schema, keys, (key, segment) => key === segment);
    const known = parent.kind === 'value' ? {} : parent.known;
    return issue.keys.map((key) => {
      const path = [...keys, key].join('.');
      return unresolved({ kind: 'unknown', keys, known }, path, sourceOf(path), pathSpelling);
    });
  }
  const path = keys.join('.');
  const value = valueAt(input, keys);
  const message = value === undefined ? issue.message : `${issue.message}, got ${describeValue(value, keys)}`;
  return [{ path, source: sourceOf(path), message }];
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean (true or false)',
  string: 'a string',
  object: 'a mapping of settings',
  array: 'a list',
};

/** Zod's messages in this project's style; a schema's own `error` texts take precedence over these. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `is required: expected ${expected}` : `expected ${expected}`;
    }
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return 'expected a non-empty string';
      return `expected ${sizeOf(issue.origin)} ${issue.inclusive ? 'of at least' : 'greater than'} ${issue.minimum}`;
    case 'too_big':
      return `expected ${sizeOf(issue.origin)} ${issue.inclusive ? 'of at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((each) => describeValue(each)).join(', ')}`;
    case 'invalid_format':
      return `expected a valid ${issue.format}`;
    default:
      return undefined;
  }
}

function sizeOf(origin: string): string {
  if (origin === 'string') return 'a length';
  if (origin === 'array' || origin === 'set') return 'a number of items';
  return 'a number';
}

function recordSources(value: unknown, keys: string[], source: string, sources: Map<string, string>): void {
  // An empty mapping sets nothing, so its keys keep their defaults and their source says so.
  if (!isTree(value)) {
    if (keys.length > 0) sources.set(keys.join('.'), source);
    return;
  }
  for (const [key, child] of Object.entries(value)) recordSources(child, [...keys, key], source, sources);
}

/** The source recorded for `path` or the nearest section above it; for a section, the sources below it. */
function findSource(sources: Map<string, string>, path: string): string {
  for (let at = path; at !== ''; at = at.slice(0, Math.max(0, at.lastIndexOf('.')))) {
    const source = sources.get(at);
    if (source !== undefined) return source;
  }
  const prefix = path === '' ? '' : `${path}.`;
  const below = new Set([...sources].filter(([at]) => at.startsWith(prefix)).map(([, source]) => source));
  return below.size > 0 ? [...below].join(' and ') : 'default';
}

function setPath(tree: Tree, keys: string[], value: unknown): void {
  const last = keys.at(-1);
  if (last === undefined) return;
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    // The environment overrides the file, even where the file has a value in place of a section.
    if (!isTree(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[last] = value;
}

function valueAt(tree: unknown, keys: string[]): unknown {
  return keys.reduce<unknown>(
    (node, key) => (isTree(node) || Array.isArray(node) ? (node as Tree)[key] : undefined),
    tree,
  );
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Setting names whose values are secrets whatever they look like. */
const secretKeyPattern = /token|password|passwd|secret|credential|apikey|api_key|privatekey/i;

/**
 * A value as JSON, short, with anything secret hidden so that errors can be printed and logged: the value
 * of a setting named like a token or password is not shown at all, and URLs are shown through
 * `redactUrl` (which needs no parse, so a URL that fails validation because of its password is hidden too).
 */
function describeValue(value: unknown, keys: readonly string[] = []): string {
  if (keys.some((key) => secretKeyPattern.test(key))) {
    return typeof value === 'string'
      ? `a value of ${value.length} characters (hidden, as it is a secret)`
      : 'a value (hidden, as it is a secret)';
  }
  // A mapping's values could be anything: its keys say enough about what was given.
  if (isTree(value)) return `a mapping of ${Object.keys(value).length} settings`;
  const isUrl = typeof value === 'string' && /^\s*[a-z][a-z0-9+.-]*:\/\//i.test(value);
  const text = typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value));
  const shown = isUrl ? JSON.stringify(redactUrl(value.trim())) : redactSecrets(text);
  return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
}

function toUpperSnake(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}

function toCamel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}
