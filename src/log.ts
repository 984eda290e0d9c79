/**
 * Structured logs (pino, JSON on stderr). Credentials, tokens and Authorization headers are redacted by path, and
 * every registered secret value is scrubbed from messages as a second line of defence.
 */
import { pino } from 'pino';

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

export function createLogger(
  level = process.env.ARKGRAPH_LOG_LEVEL ?? 'info',
  destination: pino.DestinationStream = pino.destination(2),
): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'arkgraph' } }, destination);
}
