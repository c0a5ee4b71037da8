// A client that got no answer (a timeout, a 5xx while a server restarts) cannot know whether its
// request took effect. Letting it choose the new thing's id makes sending the request again safe:
// the second request names the same order or complaint, and the module does it once. The same
// rule for every module that takes such ids, so it lives here.
import { z } from 'zod';

/**
 * An id a client chooses for what its request creates: 1 to 100 URL-safe characters (letters,
 * digits, `.`, `_`, `~`, `-`), since it comes back in the paths that read that thing; not `.` or `..`,
 * which every client resolves away as a path segment (`/returns/complaints/..` is `/returns/`), so
 * the thing could never be read back.
 */
export function clientChosenId(what: string) {
  return z
    .string()
    .regex(/^[A-Za-z0-9._~-]{1,100}$/, `${what} must be 1 to 100 letters, digits, '.', '_', '~' or '-'`)
    .refine((id) => id !== '.' && id !== '..', {
      error: `${what} must not be "." or "..": a path holding it could not be asked for`,
    })
    .describe(
      `Chosen by the client, so that it can send the request again safely: the same ${what} is done once`,
    );
}
