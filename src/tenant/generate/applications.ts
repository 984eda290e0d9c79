/**
 * Identity applications and their ACLs: Privilege Cloud, the arkgraph OAuth2 server app, an on-prem bookmark, one
 * app with every principal type, then random apps. Grant bits as idsec-sdk-golang defines them.
 */
import type { Application } from '../format/index.js';
import type { Ctx } from './context.js';
import { APP_CATEGORIES, APP_NAMES, SAFE_ENVS } from './names.js';
import { NameRegistry } from './naming.js';
import { Rng, Weighted } from './rng.js';
import { FIXED_ROLES, R } from './roles.js';

const GRANT = { Owner: 1, Read: 4, Write: 8, List: 16, Delete: 64, Execute: 128, Automatic: 2147483648 } as const;
const GRANT_CHOICE = new Weighted<number>([
  [GRANT.Execute, 45],
  [GRANT.Automatic + GRANT.Execute, 20],
  [GRANT.Automatic, 5],
  [GRANT.Read + GRANT.Execute, 10],
  [GRANT.Read, 5],
  [GRANT.Read + GRANT.Write + GRANT.List, 5],
  [GRANT.Owner + GRANT.Read + GRANT.Write + GRANT.List + GRANT.Delete + GRANT.Execute, 5],
  [GRANT.Owner, 5],
]);

export function generateApplications(ctx: Ctx): Application[] {
  const rng = Rng.stream(ctx.seed, 'applications');
  const { roles, users, groups } = ctx;
  const names = new NameRegistry();
  const apps: Application[] = [];
  const app = (name: string, extra: Partial<Application> = {}): Application => {
    const unique = names.unique(name, (b, n) => `${b} (${n})`);
    const a: Application = {
      id: rng.guid(),
      name: unique,
      displayName: unique,
      description: null,
      category: rng.pick(APP_CATEGORIES),
      state: 'Active',
      appType: 'Web',
      webAppType: 'SAML',
      templateName: 'Generic SAML',
      onPrem: false,
      serviceName: null,
      version: null,
      acl: [],
      ...extra,
    };
    apps.push(a);
    return a;
  };
  const ace = (a: Application, principalType: 'User' | 'Group' | 'Role', principalId: string, grant: number) => {
    if (a.acl.some((e) => e.principalId === principalId)) return;
    a.acl.push({ principalType, principalId, grant });
  };

  const pc = app('CyberArk Privilege Cloud', {
    category: 'IT Services',
    webAppType: 'OpenIDConnect',
    templateName: 'PrivilegeCloud',
    serviceName: 'PrivilegeCloud',
  });
  ace(pc, 'Role', roles[R.pcAdmins]!.id, GRANT.Execute);
  ace(pc, 'Role', roles[R.pcAuditors]!.id, GRANT.Execute);
  ace(pc, 'Role', roles[R.pcSafeManagers]!.id, GRANT.Automatic + GRANT.Execute);
  ace(pc, 'Role', roles[R.sysadmin]!.id, GRANT.Owner + GRANT.Read + GRANT.Write + GRANT.List + GRANT.Delete);

  const oauth = app('arkgraph OAuth2 Server', {
    description: 'OAuth2 server app for the arkgraph extractor',
    category: 'IT Services',
    webAppType: 'OAuth2Server',
    templateName: 'OAuth2ServerClient',
    serviceName: 'arkgraph',
  });
  ace(oauth, 'User', users[1]!.id, GRANT.Execute);

  const intranet = app('Intranet — Zürich', {
    category: 'Other',
    webAppType: 'Bookmark',
    templateName: 'Bookmark',
    onPrem: true,
  });
  ace(intranet, 'Role', roles[R.everybody]!.id, GRANT.Automatic + GRANT.Execute);

  // One app with every principal type and the characteristic grant values.
  const mixed = app(APP_NAMES[0]!, { webAppType: 'UsernamePassword', templateName: 'GenericUserPassword' });
  ace(mixed, 'Role', roles[FIXED_ROLES % roles.length]!.id, GRANT.Execute);
  ace(mixed, 'Group', groups[0]!.id, GRANT.Automatic);
  ace(mixed, 'User', users[4]!.id, GRANT.Read);
  ace(mixed, 'Role', roles[R.sysadmin]!.id, GRANT.Owner);

  let n = 1;
  while (apps.length < ctx.spec.applications) {
    const base = n < APP_NAMES.length ? APP_NAMES[n]! : `${rng.pick(APP_NAMES)} (${rng.pick(SAFE_ENVS)})`;
    n++;
    const kind = rng.int(4);
    const a = app(base, {
      webAppType: ['SAML', 'UsernamePassword', 'OpenIDConnect', 'Bookmark'][kind]!,
      templateName: ['Generic SAML', 'GenericUserPassword', 'Generic OpenID Connect', 'Bookmark'][kind]!,
      state: rng.chance(0.05) ? 'Inactive' : 'Active',
      onPrem: rng.chance(0.1),
      version: rng.chance(0.2) ? `${rng.range(1, 9)}.${rng.int(10)}` : null,
    });
    const entries = rng.range(1, 5);
    for (let e = 0; e < entries; e++) {
      const t = rng.float();
      if (t < 0.6) ace(a, 'Role', roles[rng.int(roles.length)]!.id, GRANT_CHOICE.sample(rng));
      else if (t < 0.8) ace(a, 'Group', groups[rng.int(groups.length)]!.id, GRANT_CHOICE.sample(rng));
      else ace(a, 'User', users[rng.int(users.length)]!.id, GRANT_CHOICE.sample(rng));
    }
  }
  return apps;
}
