/**
 * The scope of an access-review export (`safe:<name>`, `role:<name>`, `user:<login>` or `all`): parsing the text, and
 * finding the role a `role:` scope names (unknown or ambiguous names fail before anything is streamed).
 */
import type { QueryEngine } from '../../queries/engine.js';
import { suggest } from '../../queries/shape.js';
import { ApiProblem } from '../problem.js';

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
  throw new ApiProblem(400, 'bad-request', 'scope must be safe:<name>, role:<name>, user:<login> or all');
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
    throw new ApiProblem(400, 'ambiguous-name', `"${name}" names ${found.length} roles; use the id`, {
      candidates: found.map((i) => String(i.id)).sort(),
    });
  }
  const all: string[] = [];
  for (let offset = 0; ; offset += 5000) {
    const p = await queries.listAssets({ type: 'roles', offset, limit: 5000 });
    all.push(...p.items.map((i) => String(i.name)));
    if (p.items.length === 0 || offset + p.items.length >= p.total) break;
  }
  const suggestions = suggest(name, all);
  throw new ApiProblem(
    404,
    'not-found',
    `no role named "${name}"${suggestions.length ? `; did you mean: ${suggestions.map((s) => `"${s}"`).join(', ')}?` : ''}`,
    { suggestions },
  );
}
