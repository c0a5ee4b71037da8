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

/** Picks the codec for a content type, failing clearly for one no codec reads. */
export function codecFor(codecs: readonly Codec[], contentType: string | undefined): Codec {
  const wanted = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  const codec = codecs.find((candidate) => candidate.contentType === wanted);
  if (!codec) {
    throw new EnvelopeDecodeError(
      `No codec reads content type "${contentType ?? ''}"; this bus reads ${codecs.map((each) => `"${each.contentType}"`).join(', ')}`,
    );
  }
  return codec;
}
