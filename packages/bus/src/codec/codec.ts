import type { Envelope } from '../envelope/envelope.ts';
import { SwitchyardError } from '../errors.ts';

/** Turns envelopes into bytes and back; chosen per message by content type. */
export interface Codec {
  readonly contentType: string;
  encode(envelope: Envelope): Uint8Array;
  /** Throws EnvelopeDecodeError when the bytes are not an envelope this codec reads. */
  decode(body: Uint8Array): Envelope;
}

/** The bytes of a message could not be read as an envelope; such a message goes to the error queue. */
export class EnvelopeDecodeError extends SwitchyardError {
  constructor(message: string, options?: ErrorOptions) {
    super('ENVELOPE_DECODE', message, options);
  }
}

/** Codecs by the exact content type text seen, per list of codecs: every message asks, with one of a few texts. */
const chosen = new WeakMap<readonly Codec[], Map<string, Codec>>();
const maxRememberedContentTypes = 64;

/** Picks the codec for a content type, failing clearly for one no codec reads. */
export function codecFor(codecs: readonly Codec[], contentType: string | undefined): Codec {
  const text = contentType ?? '';
  let remembered = chosen.get(codecs);
  const known = remembered?.get(text);
  if (known) return known;
  const wanted = text.split(';')[0]?.trim().toLowerCase();
  const codec = codecs.find((candidate) => candidate.contentType === wanted);
  if (codec) {
    if (!remembered) {
      remembered = new Map();
      chosen.set(codecs, remembered);
    }
    // Content types come from the wire; a bound keeps odd ones from growing the map without end.
    if (remembered.size >= maxRememberedContentTypes) remembered.clear();
    remembered.set(text, codec);
    return codec;
  }
  throw new EnvelopeDecodeError(
    `No codec reads content type "${contentType ?? ''}"; this bus reads ${codecs.map((each) => `"${each.contentType}"`).join(', ')}`,
  );
}
