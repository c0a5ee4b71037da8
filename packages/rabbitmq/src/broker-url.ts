import { ConfigurationError, redactUrl } from '@switchyard/bus';

/**
 * Parses a RabbitMQ (AMQP or management) URL. Node's own error for a URL that does not parse carries
 * the whole text, password included, as its `input`: this one names the URL redacted and says what to do.
 */
export function parseBrokerUrl(text: string, what = 'RabbitMQ URL'): URL {
  try {
    return new URL(text);
  } catch {
    throw new ConfigurationError(
      `The ${what} ${redactUrl(text)} does not parse: percent-encode @ : / ? # % in its user name and password`,
    );
  }
}
