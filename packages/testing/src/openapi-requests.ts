import fc from 'fast-check';

/** One HTTP request made from an OpenAPI operation: valid, at a boundary, or malformed on purpose. */
export interface GeneratedRequest {
  readonly method: string;
  /** The path with its parameters filled in (already percent-encoded, or broken on purpose). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** What was generated, for the failure message: operation, and which part is odd. */
  readonly label: string;
}

/** The part of a JSON Schema the generator reads. */
interface Schema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: Schema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
}

interface Operation {
  readonly parameters?: readonly { readonly in: string; readonly name: string; readonly schema?: Schema }[];
  readonly requestBody?: { readonly content?: Readonly<Record<string, { readonly schema?: Schema }>> };
}

/** An OpenAPI 3 document, as far as requests are made from it. */
export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
}

const methods = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * Strings that have broken stores and encoders before: NUL, an unpaired surrogate, one over the
 * common index and parameter limits, a year PostgreSQL has not, numbers past `integer`, keys that
 * reach the prototype.
 */
const hostileStrings = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  'a\ud800b',
  '\udfff',
  '😀',
  'x'.repeat(101),
  'y'.repeat(3_000),
  '0000-01-02',
  '2026-02-30',
  '9999-12-31',
  '0000-01-01T00:00:00Z',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '%00',
  'null',
  '<script>',
];
const hostileNumbers = [0, -1, 1.5, 2_147_483_647, 2_147_483_648, -2_147_483_649, 2 ** 53, 1e308];

/** Values for a schema: mostly ones it accepts, often ones at or past its edges. */
function valuesFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.constant(null);
  const options = schema.anyOf ?? schema.oneOf;
  if (options && options.length > 0) return fc.oneof(...options.map((each) => valuesFor(each, depth + 1)));
  if (schema.allOf && schema.allOf.length > 0)
    return valuesFor(Object.assign({}, ...schema.allOf), depth + 1);
  if (schema.const !== undefined) return fc.oneof(fc.constant(schema.const), hostile());
  if (schema.enum)
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...schema.enum) },
      { weight: 1, arbitrary: hostile() },
    );
  const type = Array.isArray(schema.type) ? schema.type.find((each) => each !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return fc.oneof(
        { weight: 3, arbitrary: validString(schema) },
        { weight: 2, arbitrary: fc.constantFrom(...hostileStrings) },
      );
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? -1_000;
      const max = schema.maximum ?? 1_000;
      return fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, 1e9) }) },
        { weight: 2, arbitrary: fc.constantFrom(...hostileNumbers) },
        { weight: 1, arbitrary: hostile() },
      );
    }
    case 'boolean':
      return fc.oneof(fc.boolean(), hostile());
    case 'array':
      return fc.oneof(
        {
          weight: 4,
          arbitrary: fc.array(valuesFor(schema.items, depth + 1), {
            minLength: schema.minItems ?? 0,
            maxLength: Math.min(schema.maxItems ?? 3, 3),
          }),
        },
        { weight: 1, arbitrary: fc.array(valuesFor(schema.items, depth + 1), { maxLength: 60 }) },
        { weight: 1, arbitrary: hostile() },
      );
    case 'object':
      return objectOf(schema, depth);
    default:
      return hostile();
  }
}

/** A string the schema accepts, as well as the generator can tell: its pattern, format and length. */
function validString(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'date') {
    return fc
      .date({ min: new Date('2020-01-01'), max: new Date('2035-12-31'), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10));
  }
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('2020-01-01'), max: new Date('2035-12-31'), noInvalidDate: true })
      .map((date) => date.toISOString());
  }
  if (schema.pattern) {
    try {
      return fc
        .stringMatching(new RegExp(schema.pattern))
        .filter((each) => each.length <= (schema.maxLength ?? 200));
    } catch {
      // A pattern fast-check cannot generate from: fall through to plain text.
    }
  }
  const minLength = schema.minLength ?? 0;
  return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 16, 24)) });
}

/** A JSON value of any shape where the schema wanted something else. */
function hostile(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constant(null),
    fc.constantFrom(...hostileStrings),
    fc.constantFrom(...hostileNumbers),
    fc.constant([]),
    fc.constant({}),
    fc.boolean(),
  );
}

function objectOf(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const fields = properties.map(([name, child]) =>
    fc.tuple(
      fc.constant(name),
      valuesFor(child, depth + 1),
      // A required field is mostly present, an optional one half the time.
      fc.double({ min: 0, max: 1, noNaN: true }).map((roll) => roll < (required.has(name) ? 0.92 : 0.5)),
    ),
  );
  const extra = fc.option(
    fc.constantFrom<[string, unknown]>(['admin', true], ['__proto__', { admin: true }], ['constructor', 'x']),
    { freq: 6 },
  );
  return fc.oneof(
    {
      weight: 9,
      arbitrary: fc.tuple(fc.tuple(...fields), extra).map(([chosen, added]) => {
        const value: Record<string, unknown> = {};
        for (const [name, each, present] of chosen) if (present) value[name] = each;
        if (added)
          Object.defineProperty(value, added[0], {
            value: added[1],
            enumerable: true,
            writable: true,
            configurable: true,
          });
        return value;
      }),
    },
    { weight: 1, arbitrary: hostile() },
  );
}

/** A path parameter: percent-encoded as a client would, or a raw form no client should send. */
function pathValue(schema: Schema | undefined): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: valuesFor(schema ?? { type: 'string' }).map((value) => encodedForPath(String(value))),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%ZZ',
        '%ED%A0%80',
        '%C0%AF',
        '%',
        '%00',
        '%D8%00',
        'a'.repeat(101),
        'a'.repeat(100),
        '..',
        '%2F',
      ),
    },
  );
}

/**
 * A value percent-encoded as a path segment. An unpaired surrogate has no UTF-8 form, so it goes as
 * the bytes a careless encoder writes for it (WTF-8), which no server should take for text.
 */
function encodedForPath(value: string): string {
  if (value.isWellFormed()) return encodeURIComponent(value);
  return [...value]
    .map((char) => {
      const code = char.charCodeAt(0);
      if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) {
        return `%${(0xe0 | (code >> 12)).toString(16).toUpperCase()}%${(0x80 | ((code >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (code & 0x3f)).toString(16).toUpperCase()}`;
      }
      return encodeURIComponent(char);
    })
    .join('');
}

/** A body as sent: JSON of a generated value, or a malformed body and content type. */
function bodyOf(
  schema: Schema | undefined,
): fc.Arbitrary<{ body?: string; contentType?: string; odd?: string }> {
  return fc.oneof(
    {
      weight: 8,
      arbitrary: valuesFor(schema).map((value) => ({
        body: JSON.stringify(value) ?? 'null',
        contentType: 'application/json',
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { body: '{', contentType: 'application/json', odd: 'broken JSON' },
        { body: '', contentType: 'application/json', odd: 'empty JSON body' },
        { body: '{"__proto__":{"admin":true}}', contentType: 'application/json', odd: '__proto__ key' },
        { body: 'hello', contentType: 'text/plain', odd: 'text/plain' },
        { body: '<order/>', contentType: 'application/xml', odd: 'application/xml' },
        { body: '{}', contentType: 'application/json; charset=latin1', odd: 'odd charset' },
        { odd: 'no body' },
      ),
    },
  );
}

/** Requests for every operation of the document: valid ones, boundary values and malformed input. */
export function requestsFromOpenApi(
  document: OpenApiDocument,
  options: { readonly skipPaths?: RegExp } = {},
): fc.Arbitrary<GeneratedRequest> {
  const operations: fc.Arbitrary<GeneratedRequest>[] = [];
  for (const [template, pathItem] of Object.entries(document.paths)) {
    if (options.skipPaths?.test(template)) continue;
    for (const method of methods) {
      const operation = pathItem[method];
      if (!operation) continue;
      const parameters = operation.parameters ?? [];
      const names = [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
      const pathValues = fc.tuple(
        ...names.map((name) =>
          pathValue(parameters.find((each) => each.in === 'path' && each.name === name)?.schema),
        ),
      );
      const query = parameters.filter((each) => each.in === 'query');
      const queryValues = fc.tuple(...query.map((each) => fc.option(valuesFor(each.schema), { freq: 3 })));
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
      const body = operation.requestBody
        ? bodyOf(bodySchema)
        : fc.constant({} as { body?: string; contentType?: string; odd?: string });
      operations.push(
        fc.tuple(pathValues, queryValues, body).map(([values, queried, sent]): GeneratedRequest => {
          let path = template;
          for (const [index, name] of names.entries())
            path = path.replace(`{${name}}`, values[index] as string);
          const search = query
            .map((each, index) =>
              queried[index] === null
                ? undefined
                : `${encodeURIComponent(each.name)}=${encodedForPath(String(queried[index]))}`,
            )
            .filter((each): each is string => each !== undefined);
          if (search.length > 0) path += `?${search.join('&')}`;
          return {
            method: method.toUpperCase(),
            path,
            headers: sent.contentType ? { 'content-type': sent.contentType } : ({} as Record<string, string>),
            ...(sent.body !== undefined ? { body: sent.body } : {}),
            label: `${method.toUpperCase()} ${template}${sent.odd ? ` (${sent.odd})` : ''}`,
          };
        }),
      );
    }
  }
  if (operations.length === 0)
    throw new Error('The OpenAPI document has no operations to generate requests for');
  return fc.oneof(...operations);
}
