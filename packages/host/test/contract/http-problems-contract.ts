// A contract every app run by the host keeps: whatever a client sends, the status it gets back, and
// the problem code of a problem+json answer, are ones the OpenAPI document declares for the route it
// asked (decision 0022). Shared by relative path with the apps' tests (decision 0008); it speaks
// only HTTP, so it holds for any host, whichever modules it runs.

/** The part of an OpenAPI 3 document this contract reads. */
interface OpenApiDocument {
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
}

interface OpenApiOperation {
  readonly parameters?: readonly { readonly in: string; readonly name: string }[];
  readonly requestBody?: unknown;
  readonly responses: Record<
    string,
    { readonly content?: Record<string, { schema?: { properties?: { code?: { enum?: string[] } } } }> }
  >;
}

/** One request the contract sends, and the route it is sent to. */
interface Probe {
  readonly what: string;
  readonly method: string;
  readonly path: string;
  readonly url: string;
  readonly init: RequestInit;
}

const bodyMethods = new Set(['post', 'put', 'patch', 'delete']);
/** Longer than the router accepts for a path parameter (Fastify's default is 100). */
const overLongParameter = 'p'.repeat(300);
/** Larger than the host's default body limit (1 MiB). */
const overLargeBody = JSON.stringify({ filler: 'x'.repeat(1_100_000) });

/**
 * The bad requests sent to one route: a bad slot affinity header, another method, a path parameter too
 * long or not valid percent-encoding, query values of the wrong kind, and bodies that are empty, not
 * JSON, of another media type, with a forbidden key, of unknown fields or too large.
 */
function probesOf(path: string, method: string, operation: OpenApiOperation): Probe[] {
  const withParameters = (value: (name: string) => string) =>
    path.replace(/\{([^}]+)\}/g, (_, name: string) => value(name));
  const url = withParameters(() => 'p-1');
  const hasParameters = url !== path;
  const query = (operation.parameters ?? []).filter((each) => each.in === 'query');
  const json = (body: string): RequestInit => ({
    method: method.toUpperCase(),
    headers: { 'content-type': 'application/json' },
    body,
  });
  const probes: Probe[] = [
    { what: 'as it stands', method, path, url, init: { method: method.toUpperCase() } },
    {
      what: 'with a slot affinity header that names no slot',
      method,
      path,
      url,
      init: { method: method.toUpperCase(), headers: { 'x-switchyard-slot': 'Not A Slot' } },
    },
  ];
  // OPTIONS, which no route of the host takes: another method could be taken by a route whose path
  // matches this URL too (PUT /things/:id for /things/refresh), which would answer for itself.
  probes.push({ what: 'with OPTIONS', method, path, url, init: { method: 'OPTIONS' } });
  if (hasParameters) {
    for (const [what, value] of [
      ['with a path parameter too long', overLongParameter],
      ['with a path parameter that does not decode', '%E0%A4%A'],
      ['with a path parameter of spaces', '%20%20'],
    ] as const)
      probes.push({
        what,
        method,
        path,
        url: withParameters(() => value),
        init: { method: method.toUpperCase() },
      });
  }
  if (query.length > 0) {
    const junk = query.map((each) => `${encodeURIComponent(each.name)}=-1%21%21`).join('&');
    probes.push({
      what: 'with query values of the wrong kind',
      method,
      path,
      url: `${url}?${junk}`,
      init: {},
    });
    const long = query.map((each) => `${encodeURIComponent(each.name)}=${'q'.repeat(5_000)}`).join('&');
    probes.push({ what: 'with query values too long', method, path, url: `${url}?${long}`, init: {} });
  }
  if (bodyMethods.has(method)) {
    for (const [what, init] of [
      ['with an empty object', json('{}')],
      ['with an empty JSON body', json('')],
      ['with broken JSON', json('{"a":')],
      ['with a JSON array', json('[]')],
      ['with a __proto__ key', json('{"__proto__":{"admin":true}}')],
      ['with an unknown field', json('{"notAField":1}')],
      ['with a body too large', json(overLargeBody)],
      [
        'with text/plain',
        { method: method.toUpperCase(), headers: { 'content-type': 'text/plain' }, body: 'hello' },
      ],
      ['with a body and no content type', { method: method.toUpperCase(), body: new Uint8Array([1, 2, 3]) }],
    ] as const)
      probes.push({ what, method, path, url, init });
  }
  return probes.map((each) => ({ ...each, init: { method: method.toUpperCase(), ...each.init } }));
}

/** The codes `operation` declares for `status`, or undefined when it does not declare the status. */
function declaredCodes(operation: OpenApiOperation, status: number): readonly string[] | undefined {
  const response = operation.responses[String(status)];
  if (!response) return undefined;
  const schema = response.content ? Object.values(response.content)[0]?.schema : undefined;
  return schema?.properties?.code?.enum ?? [];
}

/**
 * Sends bad requests to every route of the OpenAPI document served at `baseUrl`, and lists each answer
 * whose status, or problem code, the document does not declare for that route: an empty list is the
 * contract kept. `skip` leaves out routes a test cannot call safely (by "METHOD /path" as documented).
 */
export async function undeclaredAnswers(
  baseUrl: string,
  options: { readonly skip?: readonly string[] } = {},
): Promise<string[]> {
  const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as OpenApiDocument;
  const found: string[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (options.skip?.includes(`${method.toUpperCase()} ${path}`)) continue;
      for (const probe of probesOf(path, method, operation)) {
        const answer = await fetch(`${baseUrl}${probe.url}`, probe.init);
        const text = await answer.text();
        const route = `${probe.method.toUpperCase()} ${probe.path} ${probe.what}`;
        const codes = declaredCodes(operation, answer.status);
        if (codes === undefined) {
          found.push(`${route}: ${answer.status} is not declared`);
          continue;
        }
        if (!(answer.headers.get('content-type') ?? '').startsWith('application/problem+json')) continue;
        const code = (JSON.parse(text) as { code?: string }).code ?? '(none)';
        if (!codes.includes(code)) found.push(`${route}: ${answer.status} ${code} is not declared`);
      }
    }
  }
  return found;
}

/** How many routes the document at `baseUrl` declares: a contract run on none would prove nothing. */
export async function documentedRoutes(baseUrl: string): Promise<number> {
  const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as OpenApiDocument;
  return Object.values(document.paths).reduce((sum, operations) => sum + Object.keys(operations).length, 0);
}
