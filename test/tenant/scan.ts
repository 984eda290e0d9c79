/** Helpers that scan a tenant for structural properties (role nesting depth, cycles, DN parsing). */
import type { IdentityRole, Tenant } from '../../src/tenant/format/index.js';

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Role → role edges (a role's members of type Role). */
export function roleEdges(roles: readonly IdentityRole[]): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const r of roles) {
    edges.set(
      r.id,
      r.members.filter((m) => m.type === 'Role').map((m) => m.id),
    );
  }
  return edges;
}

/**
 * The longest simple Role → Role path (in hops): a DFS from every role that never revisits a role on the current
 * path, so a cycle contributes only its simple paths. Exponential in general, cheap for the generator's shallow DAG.
 */
export function maxNestingDepth(edges: Map<string, string[]>): number {
  let best = 0;
  const onPath = new Set<string>();
  const dfs = (v: string, depth: number): void => {
    if (depth > best) best = depth;
    onPath.add(v);
    for (const w of edges.get(v) ?? []) if (!onPath.has(w)) dfs(w, depth + 1);
    onPath.delete(v);
  };
  for (const v of edges.keys()) dfs(v, 0);
  return best;
}

/** Splits a DN into [attribute, unescaped value] pairs (RFC 4514 escapes: `\,` `\+` `\"` `\\` `\<` `\>` `\;` `\#` `\ ` and `\XX`). */
export function parseDn(dn: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  while (i < dn.length) {
    const eq = dn.indexOf('=', i);
    if (eq < 0) throw new Error(`bad DN ${dn}`);
    const attr = dn.slice(i, eq);
    let value = '';
    let j = eq + 1;
    for (; j < dn.length; j++) {
      const c = dn[j]!;
      if (c === '\\') {
        const n = dn[j + 1];
        if (n === undefined) throw new Error(`dangling escape in ${dn}`);
        if (/[0-9a-fA-F]/.test(n) && /[0-9a-fA-F]/.test(dn[j + 2] ?? '')) {
          value += String.fromCharCode(Number.parseInt(dn.slice(j + 1, j + 3), 16));
          j += 2;
        } else {
          value += n;
          j++;
        }
      } else if (c === ',') break;
      else if ('+"<>;'.includes(c)) throw new Error(`unescaped ${c} in ${dn}`);
      else value += c;
    }
    if (value.startsWith('#') && !dn.slice(eq + 1).startsWith('\\#')) throw new Error(`unescaped leading # in ${dn}`);
    out.push([attr, value]);
    i = j + 1;
  }
  return out;
}

/** Counts used by the tests and the timing report. */
export function counts(t: Tenant) {
  const safes = t.privilegeCloud.safes;
  let memberships = 0;
  let predefined = 0;
  for (const s of safes) {
    for (const m of s.members) {
      if (m.isPredefinedUser) predefined++;
      else memberships++;
    }
  }
  return {
    users: t.identity.users.length,
    groups: t.identity.groups.length,
    roles: t.identity.roles.length,
    safes: safes.length,
    memberships,
    predefinedMemberships: predefined,
    accounts: t.privilegeCloud.accounts.length,
    applications: t.identity.applications.length,
  };
}
