import { ConfigurationError } from '../errors.ts';

/** Where `send` delivers: a queue (through its exchange) or an exchange. */
export interface Destination {
  readonly kind: 'queue' | 'exchange';
  readonly name: string;
}

/**
 * Reads a destination the ways MassTransit writes one: `queue:orders`, `exchange:Contracts:OrderPlaced`,
 * a full address such as `rabbitmq://host/vhost/orders?durable=false` or `loopback://localhost/orders`,
 * or a bare endpoint name `orders`.
 */
export function parseDestination(address: string): Destination {
  const known = parsed.get(address);
  if (known) return known;
  const destination = Object.freeze(parse(address));
  // Response addresses of requesters come and go; a bound keeps a long-lived process from collecting them.
  if (parsed.size >= maxRememberedAddresses) parsed.clear();
  parsed.set(address, destination);
  return destination;
}

/** Addresses already read: every send names one, and most processes send to a handful. */
const parsed = new Map<string, Destination>();
const maxRememberedAddresses = 1_000;

function parse(address: string): Destination {
  const text = address.trim();
  if (text.startsWith('queue:')) return named('queue', text.slice('queue:'.length), address);
  if (text.startsWith('exchange:')) return named('exchange', text.slice('exchange:'.length), address);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const url = new URL(text);
    const segments = url.pathname.split('/').filter(Boolean);
    const last = segments.at(-1);
    const kind =
      url.searchParams.get('type') === 'exchange' || url.searchParams.has('bind') ? 'exchange' : 'queue';
    return named(kind, decodeURIComponent(last ?? ''), address);
  }
  return named('queue', text, address);
}

function named(kind: Destination['kind'], name: string, original: string): Destination {
  if (!name) {
    throw new ConfigurationError(
      `Address "${original}" names no queue or exchange; use "queue:name", "exchange:name" or a full address`,
    );
  }
  return { kind, name };
}
