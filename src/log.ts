/**
 * Structured logs (pino, JSON on stderr). Credentials, tokens and Authorization headers are redacted by path, and
 * every registered secret (in any of its encodings) and every credential parameter is scrubbed from each line as it is
 * written, request URLs included, as a second line of defence.
 */
import { pino } from 'pino';
import { scrubSecrets } from './secrets.js';

export type Logger = pino.Logger;

export const REDACT_PATHS = [
  'password',
  'clientSecret',
  'client_secret',
  'secret',
  'token',
  'access_token',
  'authorization',
  'Authorization',
  '*.password',
  '*.clientSecret',
  '*.client_secret',
  '*.secret',
  '*.token',
  '*.access_token',
  '*.authorization',
  '*.Authorization',
  'req.headers.authorization',
  'headers.authorization',
  'bindPassword',
  '*.bindPassword',
  'req.headers.cookie',
  'headers.cookie',
];

/**
 * Every line is scrubbed as written, once it is JSON: after pino's serializers (an Error keeps its message and stack, a
 * request its method and URL), whatever the depth, the message included. A secret in a JSON line appears in its
 * JSON-escaped form, which the registry holds too.
 */
function scrubbing(destination: pino.DestinationStream): pino.DestinationStream {
  const d = destination as pino.DestinationStream & { flush?: (cb?: () => void) => void; flushSync?: () => void };
  return Object.assign(
    {
      write(line: string) {
        d.write(scrubSecrets(line));
      },
    },
    // logger.flush() and pino's exit handling reach the real stream through these.
    d.flush ? { flush: (cb?: () => void) => d.flush!(cb) } : {},
    d.flushSync ? { flushSync: () => d.flushSync!() } : {},
  );
}

export function createLogger(
  level = process.env.ARKGRAPH_LOG_LEVEL ?? 'info',
  destination: pino.DestinationStream = pino.destination(2),
): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'arkgraph' } },
    scrubbing(destination),
  );
}
