/**
 * The scope of an access-review export (`safe:<name>`, `role:<name>`, `user:<login>` or `all`): parsing the text, and
 * finding the role a `role:` scope names (unknown or ambiguous names fail before anything is streamed).
 *
 * Failures are the query layer's errors (RangeError, NotFoundError, AmbiguousNameError), not HTTP problems: the API
 * maps them to 400/404 problems (problem.ts) and `arkgraph export access-review` to exit code 2 (cli/errors.ts).
 */
import type { QueryEngine } from '../../queries/engine.js';
import { suggest } from '../../queries/shape.js';
import { AmbiguousNameError, NotFoundError } from '../../queries/types.js';

export type ExportScope =
  | { kind: 'all' }
  | { kind: 'safe'; name: string }
  | { kind: 'role'; name: string }
  | { kind: 'user'; name: string };

export function parseScope(text: string): ExportScope {
  if (text === 'all') return { kind: 'all' };
  const colon = text.indexOf(':');
  const kind = colon > 0 ? text.slice(0, colon) : '';
  const name = text.slice(colon + 1);
  if ((kind === 'safe' || kind === 'role' || kind === 'user') && name.trim() !== '') return { kind, name };
  throw new RangeError('scope must be safe:<name>, role:<name>, user:<login> or all');
}

/** The scope as the export's `scope` column spells it. */
export function scopeText(scope: ExportScope): string {
  return scope.kind === 'all' ? 'all' : `${scope.kind}:${scope.name}`;
}

/** The role a `role:` scope names, by id or by name (any case); 400 when ambiguous, 404 with close names. */
export async function resolveRole(queries: QueryEngine, name: string): Promise<{ id: string; name: string }> {
  const needle = name.trim();
  const lower = needle.toLowerCase();
  const page = await queries.listAssets({ type: 'roles', search: needle, limit: 10_000 });
  const byId = page.items.filter((i) => i.id === needle);
  const byName = page.items.filter((i) => String(i.name).toLowerCase() === lower);
  const found = byId.length ? byId : byName;
  if (found.length === 1) return { id: String(found[0]!.id), name: String(found[0]!.name) };
  if (found.length > 1) {
    throw new AmbiguousNameError('role', name, found.map((i) => String(i.id)).sort());
  }
  const all: string[] = [];
  for (let offset = 0; ; offset += 5000) {
    const p = await queries.listAssets({ type: 'roles', offset, limit: 5000 });
    all.push(...p.items.map((i) => String(i.name)));
    if (p.items.length === 0 || offset + p.items.length >= p.total) break;
  }
  throw new NotFoundError('role', name, suggest(name, all));
}
