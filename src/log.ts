/**
 * Structured logs (pino, JSON on stderr). Credentials, tokens and Authorization headers are redacted by path, and
 * every registered secret (in any of its encodings) and every credential query parameter is scrubbed from the
 * message and from every string field, request URLs included, as a second line of defence.
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

/** Strings of a log object scrubbed, a few levels deep (log objects are small; an unexpected big one is cut off). */
function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1);
  return out;
}

export function createLogger(
  level = process.env.ARKGRAPH_LOG_LEVEL ?? 'info',
  destination: pino.DestinationStream = pino.destination(2),
): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'arkgraph' },
      formatters: { log: (object) => scrubDeep(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    destination,
  );
}
