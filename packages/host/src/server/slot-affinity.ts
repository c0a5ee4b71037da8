import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import { envelopeHeaders, type OutboundMiddleware } from '@switchyard/bus';
import { hostProblems } from '../host-errors.ts';
import { problem } from './problem-details.ts';

/** The request header that binds what a request causes to a slot (the gateway sets it). */
export const slotAffinityHeader = 'x-switchyard-slot';
/** The cookie that does the same, for browsers the gateway has pinned to a slot. */
export const slotAffinityCookie = 'switchyard-slot';

const slotNamePattern = /^[a-z][a-z0-9-]{0,30}$/;

/** The slot the request asks for, by header or else cookie; a malformed one is a 400 naming which. */
export function requestedSlot(headers: IncomingHttpHeaders): string | undefined {
  const header = headers[slotAffinityHeader];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader !== undefined) return checked(fromHeader, `The ${slotAffinityHeader} header`);
  const fromCookie = cookieValue(headers.cookie, slotAffinityCookie);
  return fromCookie === undefined ? undefined : checked(fromCookie, `The ${slotAffinityCookie} cookie`);
}

function checked(slot: string, where: string): string {
  if (slotNamePattern.test(slot)) return slot;
  throw problem(
    hostProblems.slotAffinityInvalid,
    'Bad Request',
    `${where} must name a slot: a lower-case letter, then up to 30 lower-case letters, digits or "-"`,
  );
}

function cookieValue(cookie: string | undefined, name: string): string | undefined {
  if (!cookie) return undefined;
  for (const pair of cookie.split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === name)
      return decodeURIComponent(pair.slice(separator + 1).trim());
  }
  return undefined;
}

const requestSlot = new AsyncLocalStorage<string>();

/** Runs a route's handler with the request's slot, which `httpSlotAffinity` stamps on what it sends. */
export function inRequestSlot<T>(slot: string | undefined, work: () => T): T {
  return slot === undefined ? work() : requestSlot.run(slot, work);
}

/**
 * Binds the messages an HTTP request sends or publishes (not those of consumers, which keep their
 * conversation's slot) to the slot the request asked for: the conversation it starts stays there.
 */
export const httpSlotAffinity: OutboundMiddleware = (input, next) => {
  const slot = requestSlot.getStore();
  if (slot !== undefined && input.parent === undefined && !(envelopeHeaders.slot in input.headers))
    input.headers[envelopeHeaders.slot] = slot;
  return next();
};
