/** The HTTP settings that decide who may read the operational endpoints. */
export interface OperationsAccessSettings {
  readonly host: string;
  readonly operationsToken?: string | undefined;
  readonly operationsOpen: boolean;
}

/** Shortest operations token accepted: shorter ones can be guessed. */
export const minOperationsTokenLength = 16;

/** Whether `host` is an address only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return (
    bare === 'localhost' ||
    bare === '::1' ||
    bare === '0:0:0:0:0:0:0:1' ||
    /^127(\.\d{1,3}){3}$/.test(bare) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(bare)
  );
}

/**
 * Why the settings are unsafe, or undefined when they are not: beyond loopback, /metrics, /docs,
 * /openapi.json and the details of /health/ready need a token, or an explicit decision to serve them to
 * anyone. The text names the settings but never the token.
 */
export function operationsAccessProblem(http: OperationsAccessSettings): string | undefined {
  if (http.operationsToken !== undefined && http.operationsOpen) {
    return 'is set while http.operationsOpen is true: choose one (a token to guard the operational endpoints, or operationsOpen to serve them to anyone)';
  }
  if (http.operationsToken !== undefined || http.operationsOpen || isLoopbackHost(http.host))
    return undefined;
  return (
    `is required because http.host is ${JSON.stringify(http.host)}, beyond loopback: /metrics, /docs, ` +
    '/openapi.json and the details of /health/ready must not be open to the network. Set a bearer token of ' +
    `at least ${minOperationsTokenLength} characters (http.operationsToken, or SWITCHYARD_OPERATIONS_TOKEN), ` +
    'or set http.operationsOpen to true to serve them to anyone on purpose, or bind http.host to 127.0.0.1'
  );
}
