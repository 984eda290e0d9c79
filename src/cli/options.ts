/**
 * Options of the commands that mirror an API route (`list`, `export access-review`) are checked with that route's
 * own zod query schema (src/api/routes/shared.ts), so the CLI and the API accept exactly the same values; a refused
 * value is a usage error (exit code 2) that names the option.
 */
import type { z } from 'zod';
import { UsageError } from './errors.js';

/** `inactiveDays` → `--inactive-days`. */
function flagOf(key: PropertyKey | undefined): string {
  if (typeof key !== 'string') return 'option';
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The options (strings, or absent) as the route's query schema validates them. */
export function viaApiSchema<S extends z.ZodType>(schema: S, options: Record<string, string | undefined>): z.output<S> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const r = schema.safeParse(given);
  if (r.success) return r.data;
  throw new UsageError(r.error.issues.map((i) => `${flagOf(i.path[0])}: ${i.message}`).join('; '));
}
