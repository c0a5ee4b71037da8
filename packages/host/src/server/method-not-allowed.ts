import type { FastifyInstance } from 'fastify';

/** A registered route's methods and the pattern its paths match. */
interface KnownRoute {
  readonly methods: readonly string[];
  readonly pattern: RegExp;
}

/**
 * Remembers every route as it is registered, to tell a path no route serves (404) from a path served
 * for other methods (405 with `Allow`). Call before the routes are registered.
 */
export function trackRouteMethods(app: FastifyInstance): (path: string) => string[] {
  const known: KnownRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    known.push({ methods: methods.map(String), pattern: patternOf(route.url ?? route.path ?? '') });
  });
  return (path) => {
    const allowed = new Set<string>();
    for (const route of known)
      if (route.pattern.test(path)) for (const method of route.methods) allowed.add(method);
    return [...allowed].sort();
  };
}

/** `/orders/:orderId` → a regular expression matching `/orders/o-1`; `*` matches the rest of a path. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}
