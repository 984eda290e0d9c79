/**
 * The checks of a tenant document that its zod shapes cannot express: ids that must exist and keys that must be
 * unique. They take `unknown`, so that they also run on a document whose shape is wrong.
 */

interface Problem {
  path: (string | number)[];
  message: string;
}

/** Arrays of a document that may not have passed shape validation: anything else counts as empty. */
function arr(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => !!v && typeof v === 'object') : [];
}
function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

function duplicates(
  out: Problem[],
  items: unknown,
  key: (t: Record<string, unknown>) => string | undefined,
  path: (string | number)[],
  what: string,
) {
  const seen = new Map<string, number>();
  const list = Array.isArray(items) ? items : [];
  list.forEach((item, i) => {
    if (!item || typeof item !== 'object') return;
    const k = key(item as Record<string, unknown>);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first !== undefined)
      out.push({ path: [...path, i], message: `duplicate ${what} "${k}" (first at index ${first})` });
    else seen.set(k, i);
  });
}

/**
 * Cross-references the zod shapes cannot express: ids that must exist and keys that must be unique. Written
 * defensively so it also runs on a document with shape problems: every problem is reported in one pass.
 */
export function referenceProblems(doc: unknown): Problem[] {
  const out: Problem[] = [];
  const root = obj(doc);
  const id = obj(root.identity);
  const pc = obj(root.privilegeCloud);
  const lower = (field: string) => (t: Record<string, unknown>) => text(t[field])?.toLowerCase();
  const field = (f: string) => (t: Record<string, unknown>) => text(t[f]);
  duplicates(out, id.directoryServices, field('uuid'), ['identity', 'directoryServices'], 'directory service uuid');
  duplicates(out, id.users, field('id'), ['identity', 'users'], 'user id');
  duplicates(out, id.users, lower('username'), ['identity', 'users'], 'username');
  duplicates(out, id.groups, field('id'), ['identity', 'groups'], 'group id');
  duplicates(out, id.roles, field('id'), ['identity', 'roles'], 'role id');
  duplicates(out, id.roles, field('name'), ['identity', 'roles'], 'role name');
  duplicates(out, id.applications, field('id'), ['identity', 'applications'], 'application id');
  duplicates(out, pc.safes, lower('name'), ['privilegeCloud', 'safes'], 'safe name');
  duplicates(out, pc.accounts, field('id'), ['privilegeCloud', 'accounts'], 'account id');

  const ids = (items: unknown) =>
    new Set(
      arr(items)
        .map((x) => text(x.id))
        .filter((x): x is string => !!x),
    );
  const dirs = new Set(arr(id.directoryServices).map((d) => text(d.uuid)));
  const exists: Record<string, Set<string>> = { User: ids(id.users), Group: ids(id.groups), Role: ids(id.roles) };
  const unknown = (type: unknown) => (typeof type === 'string' ? type.toLowerCase() : 'principal');

  for (const section of ['users', 'groups'] as const) {
    (Array.isArray(id[section]) ? (id[section] as unknown[]) : []).forEach((x, i) => {
      const uuid = text(obj(x).directoryServiceUuid);
      if (uuid !== undefined && !dirs.has(uuid)) {
        out.push({
          path: ['identity', section, i, 'directoryServiceUuid'],
          message: `unknown directory service "${uuid}"`,
        });
      }
    });
  }
  (Array.isArray(id.roles) ? (id.roles as unknown[]) : []).forEach((raw, i) => {
    const r = obj(raw);
    const members = Array.isArray(r.members) ? (r.members as unknown[]) : [];
    members.forEach((m, j) => {
      const type = text(obj(m).type);
      const mid = text(obj(m).id);
      if (type && mid && exists[type] && !exists[type].has(mid)) {
        out.push({ path: ['identity', 'roles', i, 'members', j, 'id'], message: `unknown ${unknown(type)} "${mid}"` });
      }
    });
    (Array.isArray(r.scriptMembers) ? (r.scriptMembers as unknown[]) : []).forEach((u, j) => {
      if (typeof u === 'string' && !exists.User!.has(u)) {
        out.push({ path: ['identity', 'roles', i, 'scriptMembers', j], message: `unknown user "${u}"` });
      }
    });
    const roleType = text(r.roleType) ?? 'PrincipalList';
    if ((roleType === 'Everybody' || roleType === 'Script') && members.length > 0) {
      out.push({ path: ['identity', 'roles', i, 'members'], message: `a ${roleType} role has no explicit members` });
    }
  });
  (Array.isArray(id.applications) ? (id.applications as unknown[]) : []).forEach((a, i) => {
    arr(obj(a).acl).forEach((e, j) => {
      const type = text(e.principalType);
      const pid = text(e.principalId);
      if (type && pid && exists[type] && !exists[type].has(pid)) {
        out.push({
          path: ['identity', 'applications', i, 'acl', j, 'principalId'],
          message: `unknown ${unknown(type)} "${pid}"`,
        });
      }
    });
  });
  const safeNames = new Set(arr(pc.safes).map((s) => text(s.name)));
  (Array.isArray(pc.accounts) ? (pc.accounts as unknown[]) : []).forEach((a, i) => {
    const safeName = text(obj(a).safeName);
    if (safeName !== undefined && !safeNames.has(safeName)) {
      out.push({ path: ['privilegeCloud', 'accounts', i, 'safeName'], message: `unknown safe "${safeName}"` });
    }
  });
  (Array.isArray(pc.safes) ? (pc.safes as unknown[]) : []).forEach((raw, i) => {
    const s = obj(raw);
    duplicates(out, s.members, lower('memberName'), ['privilegeCloud', 'safes', i, 'members'], 'member');
    if (Array.isArray(s.members) && s.members.length > 64) {
      out.push({
        path: ['privilegeCloud', 'safes', i, 'members'],
        message: `a safe holds at most 64 members (has ${s.members.length})`,
      });
    }
  });
  const entra = obj(root.entra);
  duplicates(out, entra.users, lower('id'), ['entra', 'users'], 'user id');
  duplicates(out, entra.users, lower('userPrincipalName'), ['entra', 'users'], 'userPrincipalName');
  duplicates(out, entra.groups, lower('id'), ['entra', 'groups'], 'group id');
  const entraIds = {
    user: new Set(arr(entra.users).map((u) => text(u.id)?.toLowerCase())),
    group: new Set(arr(entra.groups).map((g) => text(g.id)?.toLowerCase())),
  };
  (Array.isArray(entra.groups) ? (entra.groups as unknown[]) : []).forEach((g, i) => {
    arr(obj(g).members).forEach((m, j) => {
      const type = text(m.type);
      const mid = text(m.id)?.toLowerCase();
      if ((type === 'user' || type === 'group') && mid && !entraIds[type].has(mid)) {
        out.push({ path: ['entra', 'groups', i, 'members', j, 'id'], message: `unknown ${type} "${text(m.id)}"` });
      }
    });
  });
  const ad = obj(root.activeDirectory);
  duplicates(out, ad.users, lower('dn'), ['activeDirectory', 'users'], 'DN');
  duplicates(out, ad.users, lower('sAMAccountName'), ['activeDirectory', 'users'], 'sAMAccountName');
  duplicates(out, ad.groups, lower('dn'), ['activeDirectory', 'groups'], 'DN');
  const adDns = new Set([...arr(ad.users), ...arr(ad.groups)].map((x) => text(x.dn)?.toLowerCase()));
  (Array.isArray(ad.groups) ? (ad.groups as unknown[]) : []).forEach((g, i) => {
    (Array.isArray(obj(g).members) ? (obj(g).members as unknown[]) : []).forEach((m, j) => {
      if (typeof m === 'string' && !adDns.has(m.toLowerCase())) {
        out.push({ path: ['activeDirectory', 'groups', i, 'members', j], message: `unknown member DN "${m}"` });
      }
    });
  });
  return out;
}
