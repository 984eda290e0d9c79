/**
 * The API over a small generated tenant synced through POST /sync: query answers equal the store's (the CLI --json
 * shapes), problem details, strict parameters, security headers, the authorization matrix, OpenAPI and Swagger UI,
 * the access-review export (parsed back and compared with the store), formula injection, the correlation report,
 * real HTTP, and — at the end — no secret anywhere in the captured logs.
 */

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../../src/api/access-review/columns.js';
import { openApiDocument } from '../../src/api/spec.js';
import { QueryEngine } from '../../src/queries/engine.js';
import { renderPath } from '../../src/queries/path-text.js';
import type { PrincipalAccess } from '../../src/queries/types.js';
import type { Tenant } from '../../src/tenant/format/index.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { type ApiHarness, expectProblem, parseCsvExport, type Role, startApiHarness } from './helpers.js';

const FORMULA_SAFE = '=SUM(1,2)';
const FORMULA_DISPLAY = '@cmd|calc';
const FORMULA_DISPLAY_2 = '-2+3';

/** A tenant with formula-looking names and one extra expired membership next to a live grant. */
function tenantForTests(): { tenant: Tenant; expired: { user: string; safe: string } } {
  const tenant = generateTenant('small', 5);
  const pc = tenant.privilegeCloud;
  // A safe whose name starts with "=" (its accounts follow it).
  const victim = pc.safes.find((s) => s.members.some((m) => m.memberType === 'Role') && !/^[A-Z]+$/.test(s.name))!;
  const old = victim.name;
  victim.name = FORMULA_SAFE;
  for (const a of pc.accounts) if (a.safeName === old) a.safeName = FORMULA_SAFE;
  // Display names that spreadsheets would evaluate.
  tenant.identity.users[5]!.displayName = FORMULA_DISPLAY;
  tenant.identity.users[6]!.displayName = FORMULA_DISPLAY_2;
  // An expired direct membership of a user who also reaches the safe through a role.
  for (const safe of pc.safes) {
    for (const m of safe.members.filter((x) => x.memberType === 'Role')) {
      const role = tenant.identity.roles.find((r) => r.id === m.memberId);
      const member = role?.members.find((x) => x.type === 'User');
      const user = member && tenant.identity.users.find((u) => u.id === member.id);
      if (!user || safe.members.some((x) => x.memberId === user.id)) continue;
      safe.members.push({
        memberId: user.id,
        memberName: user.username,
        memberType: 'User',
        permissions: ['listAccounts'],
        membershipExpirationDate: 1_700_000_000,
        isPredefinedUser: false,
        isReadOnly: false,
      });
      return { tenant, expired: { user: user.username, safe: safe.name } };
    }
  }
  throw new Error('no safe with a role member');
}

const { tenant, expired } = tenantForTests();
let h: ApiHarness;
let syncId: string;
let safeName: string;
let userLogin: string;
let accountId: string;

beforeAll(async () => {
  h = await startApiHarness({ tenant, initialSync: false });
  // The full sync runs through the API with the default runner, its logs captured.
  const r = await h.app.inject({ method: 'POST', url: '/api/v1/sync', headers: h.auth('admin') });
  expect(r.statusCode, r.body).toBe(202);
  syncId = JSON.parse(r.body).id;
  expect(r.headers.location).toBe(`/api/v1/sync/runs/${syncId}`);
  await h.app.arkgraph.syncs.idle();
  const safes = JSON.parse((await h.get('/api/v1/safes?limit=500', 'reader')).body).items as { name: string }[];
  safeName = safes.find((s) => s.name === 'Finance & Legal')?.name ?? safes[3]!.name;
  userLogin =
    tenant.identity.users.find((u) => u.username.startsWith('jane'))?.username ?? tenant.identity.users[3]!.username;
  accountId = tenant.privilegeCloud.accounts.find((a) => a.safeName === safeName)!.id;
});

afterAll(async () => {
  await h?.close();
});

const enc = encodeURIComponent;
const json = (body: string) => JSON.parse(body) as Record<string, unknown>;
const same = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
/** The page the API answers with when none is asked for. */
const FIRST_PAGE = { offset: 0, limit: 100 };

describe('sync through the API', () => {
  it('the run is recorded with per-source counts and durations', async () => {
    const run = json((await h.get(`/api/v1/sync/runs/${syncId}`, 'reader')).body);
    expect(run).toMatchObject({ id: syncId, status: 'completed', sources: ['identity', 'privilegecloud'], errors: [] });
    expect((run.counts as Record<string, Record<string, number>>).identity?.CyberArkUser).toBe(
      tenant.identity.users.length,
    );
    expect(Object.keys(run.durationsMs as object)).toContain('extract.identity');
    const list = json((await h.get('/api/v1/sync/runs?limit=5', 'reader')).body);
    expect(list.running).toBeNull();
    expect((list.runs as { id: string }[])[0]!.id).toBe(syncId);
    expectProblem(await h.get('/api/v1/sync/runs/sync-nope', 'reader'), 404, 'not-found');
  });
});

describe('operations and headers', () => {
  it('/health needs no token; /ready needs one and reports the store', async () => {
    const health = await h.get('/health');
    expect(health.statusCode).toBe(200);
    expect(json(health.body)).toEqual({ status: 'ok' });
    expectProblem(await h.get('/ready'), 401, 'unauthorized');
    const ready = await h.get('/ready', 'reader');
    expect(json(ready.body)).toEqual({ status: 'ready', store: 'memory', has_data: true });
  });

  it('sends security headers and a request id, and never a CORS header (even to a preflight)', async () => {
    const r = await h.get('/api/v1/safes', 'reader', { origin: 'https://evil.example' });
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const preflight = await h.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/safes',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', ...h.auth('reader') },
    });
    for (const res of [r, preflight, await h.get('/health', undefined, { origin: 'https://evil.example' })]) {
      expect(Object.keys(res.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('limits body and URL sizes with problem responses', async () => {
    const big = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sync',
      headers: { ...h.auth('admin'), 'content-type': 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(20_000) }),
    });
    expectProblem(big, 413, 'payload-too-large');
    expectProblem(await h.get(`/api/v1/safes?search=${'a'.repeat(5000)}`, 'reader'), 414, 'uri-too-long');
    expectProblem(await h.get(`/api/v1/users/${'u'.repeat(2000)}/access`, 'reader'), 414);
  });
});

describe('queries answer exactly what the store answers', () => {
  it('GET /safes/{safe}/access?permission= is who-can (CLI --json)', async () => {
    const r = await h.get(
      `/api/v1/safes/${enc(safeName.toUpperCase())}/access?permission=Retrieve%20Accounts`,
      'reader',
    );
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r.body)).toEqual(same(await new QueryEngine(h.store).whoCan('retrieveAccounts', safeName, FIRST_PAGE)));
    expect((json(r.body).principals as unknown[]).length).toBeGreaterThan(0);
  });

  it('GET /safes/{safe}/access without permission lists every principal with any permission', async () => {
    const r = await h.get(`/api/v1/safes/${enc(safeName)}/access`, 'reader');
    expect(json(r.body)).toEqual(same(await new QueryEngine(h.store).safeAccess(safeName, FIRST_PAGE)));
  });

  it('pages principals: pages in a row are the whole answer, in order, with the total and every warning', async () => {
    const whole = await new QueryEngine(h.store).safeAccess(safeName);
    expect(whole.limit).toBeNull();
    expect(whole.total).toBe(whole.principals.length);
    expect(whole.total).toBeGreaterThan(3);
    const seen: unknown[] = [];
    for (let offset = 0; offset < whole.total + 2; offset += 2) {
      const r = await h.get(`/api/v1/safes/${enc(safeName)}/access?offset=${offset}&limit=2`, 'reader');
      expect(r.statusCode, r.body).toBe(200);
      const page = json(r.body);
      expect(page).toMatchObject({ total: whole.total, offset, limit: 2, warnings: whole.warnings });
      expect((page.principals as unknown[]).length).toBe(Math.max(0, Math.min(2, whole.total - offset)));
      seen.push(...(page.principals as unknown[]));
    }
    expect(seen).toEqual(same(whole.principals));
    for (const bad of ['limit=0', 'limit=501', 'offset=-1', 'limit=x']) {
      expectProblem(await h.get(`/api/v1/safes/${enc(safeName)}/access?${bad}`, 'reader'), 400);
    }
    const page = await h.get(`/api/v1/accounts/${enc(accountId)}/access?offset=1&limit=1`, 'reader');
    expect(json(page.body)).toEqual(
      same(await new QueryEngine(h.store).accountAccess(accountId, { offset: 1, limit: 1 })),
    );
  });

  it('users, accounts and paths', async () => {
    const user = await h.get(`/api/v1/users/${enc(userLogin)}/access`, 'reader');
    expect(json(user.body)).toEqual(same(await new QueryEngine(h.store).userAccess(userLogin)));
    const account = await h.get(`/api/v1/accounts/${enc(accountId)}/access`, 'reader');
    expect(json(account.body)).toEqual(same(await new QueryEngine(h.store).accountAccess(accountId, FIRST_PAGE)));
    const paths = await h.get(`/api/v1/paths?from=${enc(expired.user)}&safe=${enc(expired.safe)}&maxDepth=5`, 'reader');
    const expected = await new QueryEngine(h.store).paths(expired.user, expired.safe, 5);
    expect(json(paths.body)).toEqual(same(expected));
    expect(expected.paths.some((p) => p.expired)).toBe(true);
  });

  it('unknown names are 404 with close matches; unknown permissions are 400 with the valid ones', async () => {
    const miss = expectProblem(await h.get(`/api/v1/safes/${enc(safeName.slice(0, -1))}x/access`, 'reader'), 404);
    expect(miss.suggestions).toContain(safeName);
    const perm = expectProblem(await h.get(`/api/v1/safes/${enc(safeName)}/access?permission=fly`, 'reader'), 400);
    expect(perm.type).toBe('urn:arkgraph:problem:unknown-permission');
    expect((perm.validPermissions as { key: string }[]).map((p) => p.key)).toContain('retrieveAccounts');
    expect(perm.validPermissions).toHaveLength(22);
    const near = expectProblem(
      await h.get(`/api/v1/safes/${enc(safeName)}/access?permission=retreiveAccounts`, 'reader'),
      400,
    );
    expect(near.suggestions).toEqual(['retrieveAccounts']);
    expect(near.detail).toContain('did you mean retrieveAccounts ("Retrieve Accounts")?');
    expectProblem(await h.get('/api/v1/users/nobody@nowhere/access', 'reader'), 404, 'not-found');
    expectProblem(await h.get('/api/v1/no-such-route', 'reader'), 404, 'not-found');
  });

  it('parameters are validated strictly', async () => {
    for (const url of [
      '/api/v1/safes?bogus=1',
      '/api/v1/safes?limit=501',
      '/api/v1/safes?limit=0',
      '/api/v1/safes?limit=1e2',
      '/api/v1/safes?limit=1&limit=2',
      '/api/v1/safes?offset=-1',
      `/api/v1/paths?from=${enc(userLogin)}&safe=${enc(safeName)}&maxDepth=13`,
      `/api/v1/paths?from=${enc(userLogin)}`,
      `/api/v1/users/${enc(userLogin)}/access?x=1`,
      '/api/v1/exports/access-review?scope=all&format=xml',
      '/api/v1/exports/access-review?scope=planet:earth',
    ]) {
      expectProblem(await h.get(url, 'reviewer'), 400);
    }
  });

  it('asset views page, order and search', async () => {
    for (const type of ['safes', 'users', 'groups', 'roles', 'applications', 'accounts']) {
      const all = json((await h.get(`/api/v1/${type}?limit=500`, 'reader')).body);
      const items = all.items as { id: string; name: string }[];
      expect(all.total).toBe(items.length);
      expect(all.type).toBe(type);
      const page = json((await h.get(`/api/v1/${type}?offset=2&limit=3`, 'reader')).body);
      expect((page.items as { id: string }[]).map((i) => i.id)).toEqual(items.slice(2, 5).map((i) => i.id));
      expect(json((await h.get(`/api/v1/${type}`, 'reader')).body)).toEqual(
        same(await new QueryEngine(h.store).listAssets({ type: type as 'safes', offset: 0, limit: 100 })),
      );
    }
    const search = json(
      (await h.get(`/api/v1/safes?search=${enc(safeName.slice(1, 6).toLowerCase())}`, 'reader')).body,
    );
    expect((search.items as { name: string }[]).map((i) => i.name)).toContain(safeName);
  });
});

describe('authorization matrix', () => {
  const ROLES: Role[] = ['reader', 'reviewer', 'admin'];
  const rank = (r: string) => (r === 'public' ? -1 : ROLES.indexOf(r as Role));
  const routes = () =>
    [
      { method: 'GET', url: '/health', needs: 'public', ok: 200, path: '/health' },
      { method: 'GET', url: '/ready', needs: 'reader', ok: 200, path: '/ready' },
      {
        method: 'GET',
        url: `/api/v1/safes/${enc(safeName)}/access?permission=retrieveAccounts`,
        needs: 'reader',
        ok: 200,
        path: '/api/v1/safes/{safe}/access',
      },
      {
        method: 'GET',
        url: `/api/v1/users/${enc(userLogin)}/access`,
        needs: 'reader',
        ok: 200,
        path: '/api/v1/users/{user}/access',
      },
      {
        method: 'GET',
        url: `/api/v1/accounts/${enc(accountId)}/access`,
        needs: 'reader',
        ok: 200,
        path: '/api/v1/accounts/{account}/access',
      },
      {
        method: 'GET',
        url: `/api/v1/paths?from=${enc(userLogin)}&safe=${enc(safeName)}`,
        needs: 'reader',
        ok: 200,
        path: '/api/v1/paths',
      },
      ...['safes', 'users', 'groups', 'roles', 'applications', 'accounts'].map((t) => ({
        method: 'GET',
        url: `/api/v1/${t}?limit=2`,
        needs: 'reader',
        ok: 200,
        path: `/api/v1/${t}`,
      })),
      { method: 'GET', url: '/api/v1/sync/runs', needs: 'reader', ok: 200, path: '/api/v1/sync/runs' },
      { method: 'GET', url: `/api/v1/sync/runs/${syncId}`, needs: 'reader', ok: 200, path: '/api/v1/sync/runs/{id}' },
      {
        method: 'GET',
        url: `/api/v1/exports/access-review?scope=${enc(`safe:${safeName}`)}`,
        needs: 'reviewer',
        ok: 200,
        path: '/api/v1/exports/access-review',
      },
      {
        method: 'GET',
        url: '/api/v1/reports/correlation',
        needs: 'reviewer',
        ok: 200,
        path: '/api/v1/reports/correlation',
      },
      { method: 'POST', url: '/api/v1/sync', needs: 'admin', ok: 202, path: '/api/v1/sync' },
      { method: 'POST', url: '/api/v1/sources/test', needs: 'admin', ok: 200, path: '/api/v1/sources/test' },
      { method: 'GET', url: '/docs', needs: 'reader', ok: 200, path: '' },
      { method: 'GET', url: '/docs/json', needs: 'reader', ok: 200, path: '' },
      { method: 'GET', url: '/docs/static/swagger-ui-bundle.js', needs: 'reader', ok: 200, path: '' },
    ] as const;

  it('covers every route of the OpenAPI document', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const tested = routes()
      .filter((r) => r.path)
      .map((r) => `${r.method} ${r.path}`);
    expect(new Set(tested)).toEqual(new Set(documented));
  });

  it('no token → 401 with WWW-Authenticate; a wrong token → 401 invalid_token; a lower role → 403; the role → 2xx', async () => {
    for (const route of routes()) {
      const call = (headers: Record<string, string>) => h.app.inject({ method: route.method, url: route.url, headers });
      if (route.needs !== 'public') {
        const none = await call({});
        expectProblem(none, 401, 'unauthorized');
        expect(none.headers['www-authenticate']).toBe('Bearer realm="arkgraph"');
        const wrong = await call({ authorization: `Bearer ${'x'.repeat(43)}` });
        expectProblem(wrong, 401, 'unauthorized');
        expect(wrong.headers['www-authenticate']).toContain('error="invalid_token"');
        expectProblem(await call({ authorization: 'Basic YWRtaW46YWRtaW4=' }), 401);
      }
      for (const role of ROLES) {
        const r = await call(h.auth(role));
        if (rank(role) < rank(route.needs)) {
          const body = expectProblem(r, 403, 'forbidden');
          expect(body.detail).toContain(route.needs);
        } else {
          expect(r.statusCode, `${route.method} ${route.url} as ${role}: ${r.body.slice(0, 300)}`).toBe(route.ok);
          if (route.method === 'POST' && route.url.endsWith('/sync')) await h.app.arkgraph.syncs.idle();
        }
      }
    }
  });
});

describe('OpenAPI and Swagger UI', () => {
  it('serves an OpenAPI 3.1 document identical to docs/openapi.json', async () => {
    const served = json((await h.get('/docs/json', 'reader')).body);
    expect(served.openapi).toBe('3.1.0');
    const file = JSON.parse(await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(served).toEqual(file);
    expect(file).toEqual(await openApiDocument());
    const paths = served.paths as Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
    expect(Object.keys(paths['/api/v1/exports/access-review']!.get!.responses['200']!.content!)).toEqual(
      expect.arrayContaining(['application/json', 'text/csv']),
    );
    expect(Object.keys(paths['/api/v1/safes/{safe}/access']!.get!.responses['404']!.content!)).toEqual([
      'application/problem+json',
    ]);
  });

  it('serves Swagger UI from local files only (no CDN)', async () => {
    const index = await h.get('/docs/', 'reader');
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('swagger-ui-bundle.js');
    expect(index.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-initializer.js']) {
      const r = await h.get(`/docs/static/${asset}`, 'reader');
      expect(r.statusCode, asset).toBe(200);
    }
    expect((await h.get('/docs/static/swagger-initializer.js', 'reader')).body).toContain('./json');
  });
});

describe('access-review export', () => {
  const exportUrl = (scope: string, extra = '') => `/api/v1/exports/access-review?scope=${enc(scope)}${extra}`;

  function expectedRows(principals: PrincipalAccess[], keep: (p: PrincipalAccess) => boolean = () => true) {
    return principals.filter(keep).flatMap((p) =>
      (p.paths.length ? p.paths : [undefined]).map((path, i) => ({
        principal_id: p.id,
        path_index: String(path ? i + 1 : 0),
        path_count: String(p.path_count),
        permissions: p.permissions.join('; '),
        grant_path: path ? renderPath(path) : '',
      })),
    );
  }
  const pick = (rows: Record<string, string>[]) =>
    rows.map((r) => ({
      principal_id: r.principal_id,
      path_index: r.path_index,
      path_count: r.path_count,
      permissions: r.permissions,
      grant_path: r.grant_path?.replace(/^'/, ''),
    }));

  it('safe scope: one CSV row per (principal, grant path), as the store answers', async () => {
    const r = await h.get(exportUrl(`safe:${safeName}`, '&format=csv'), 'reviewer');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(r.headers['content-disposition']).toMatch(
      /^attachment; filename="access-review-safe_[A-Za-z0-9._-]+-\d{4}-\d\d-\d\d\.csv"$/,
    );
    const { header, rows } = parseCsvExport(r.body);
    expect(header).toEqual([...EXPORT_COLUMNS]);
    const access = await new QueryEngine(h.store).safeAccess(safeName);
    expect(pick(rows)).toEqual(expectedRows(access.principals));
    for (const row of rows) {
      expect(row.scope).toBe(`safe:${safeName}`);
      expect(row.resource_type).toBe('Safe');
      expect(row.resource_name).toBe(safeName);
      expect(JSON.parse(row.grant_path_json!)).toEqual(
        access.principals.find((p) => p.id === row.principal_id)!.paths[Number(row.path_index) - 1],
      );
    }
    // Reviewer candidates: the CyberArk users holding manageSafeMembers on the safe.
    const managers = access.principals
      .filter((p) => p.type === 'CyberArkUser' && p.permissions.includes('manageSafeMembers'))
      .map((p) => p.login_name);
    expect(rows[0]!.reviewer_candidate_count).toBe(String(managers.length));
    expect(new Set(rows[0]!.reviewer_candidates!.split('; ').filter(Boolean))).toEqual(new Set(managers));
  });

  it('flags: no login, expired membership, dynamic roles, directory', async () => {
    const now = Date.now();
    const r = await h.get(exportUrl('all', '&format=json&inactiveDays=30'), 'reviewer');
    const rows = JSON.parse(r.body) as Record<string, unknown>[];
    expect(rows.length).toBeGreaterThan(100);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([...EXPORT_COLUMNS]);
      if (row.principal_type === 'CyberArkUser') {
        const last = row.principal_last_login_at as string | null;
        const stale = last === null || now - Date.parse(last) > 30 * 86_400_000;
        expect(row.no_login_90d).toBe(stale);
        expect(['human', 'non-human']).toContain(row.principal_kind);
      } else {
        expect(row.no_login_90d).toBeNull();
        expect(row.orphan).toBeNull();
      }
      // Expired memberships exist on safes only (applications have ACEs, which do not expire).
      if (row.resource_type === 'Safe') expect(typeof row.expired_membership).toBe('boolean');
      else expect(row.expired_membership).toBeNull();
      expect(row.flags).toEqual(
        ['no_login_90d', 'disabled_in_directory', 'orphan', 'expired_membership', 'via_dynamic_role'].filter(
          (f) => row[f] === true,
        ),
      );
    }
    const hit = rows.filter((x) => x.principal_login === expired.user && x.resource_name === expired.safe);
    expect(hit.length).toBeGreaterThan(0);
    for (const x of hit) expect(x.expired_membership).toBe(true);
    // via_dynamic_role is the store's, principal by principal.
    const bySafe = new Map<string, Map<string, boolean>>();
    for (const x of rows.filter((y) => y.resource_type === 'Safe').slice(0, 400)) {
      const id = x.resource_id as string;
      if (!bySafe.has(id)) {
        const a = await new QueryEngine(h.store).safeAccess(id);
        bySafe.set(id, new Map(a.principals.map((p) => [p.id, p.via_dynamic_role])));
      }
      expect(x.via_dynamic_role).toBe(bySafe.get(id)!.get(x.principal_id as string));
    }
  });

  it('JSON and CSV carry the same rows; Accept: text/csv selects CSV', async () => {
    const scope = `safe:${safeName}`;
    const asJson = JSON.parse((await h.get(exportUrl(scope, '&format=json'), 'reviewer')).body) as Record<
      string,
      unknown
    >[];
    const negotiated = await h.get(exportUrl(scope), 'reviewer', { accept: 'text/csv' });
    expect(negotiated.headers['content-type']).toMatch(/^text\/csv/);
    const { rows } = parseCsvExport(negotiated.body);
    expect(rows).toHaveLength(asJson.length);
    rows.forEach((row, i) => {
      const j = asJson[i]!;
      expect(row.principal_id).toBe(j.principal_id);
      expect(row.permissions).toBe((j.permissions as string[]).join('; '));
      expect(JSON.parse(row.grant_path_json!)).toEqual(j.grant_path_json);
      expect(row.flags).toBe((j.flags as string[]).join('; '));
    });
    expect((await h.get(exportUrl(scope), 'reviewer')).headers['content-type']).toMatch(/^application\/json/);
  });

  it('user scope: that user on every safe and application it reaches', async () => {
    const access = await new QueryEngine(h.store).userAccess(userLogin);
    const { rows } = parseCsvExport((await h.get(exportUrl(`user:${userLogin}`, '&format=csv'), 'reviewer')).body);
    expect(new Set(rows.map((r) => r.principal_id))).toEqual(new Set([access.user.id]));
    expect(new Set(rows.map((r) => r.resource_id))).toEqual(
      new Set([...access.safes.map((s) => s.safe.id), ...access.applications.map((a) => a.application.id)]),
    );
    const paths = access.safes.reduce((n, s) => n + Math.max(1, s.paths.length), 0);
    const apps = access.applications.reduce((n, a) => n + Math.max(1, a.paths.length), 0);
    expect(rows).toHaveLength(paths + apps);
  });

  it('role scope: the grants that run through the role', async () => {
    const role = tenant.identity.roles.find((r) => r.name === 'On-Call Rota') ?? tenant.identity.roles[3]!;
    const { rows } = parseCsvExport(
      (await h.get(exportUrl(`role:${role.name.toLowerCase()}`, '&format=csv'), 'reviewer')).body,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const steps = JSON.parse(row.grant_path_json!) as { kind: string; name: string }[];
      expect(
        row.principal_name === role.name || steps.some((s) => s.kind === 'CyberArkRole' && s.name === role.name),
      ).toBe(true);
    }
    // The role's own safes are all there.
    const own = new Set<string>();
    for (const s of (await new QueryEngine(h.store).listAssets({ type: 'safes', limit: 500 })).items) {
      const a = await new QueryEngine(h.store).safeAccess(String(s.id));
      if (a.principals.some((p) => p.type === 'CyberArkRole' && p.name === role.name)) own.add(a.safe.id);
    }
    for (const app of (await new QueryEngine(h.store).listAssets({ type: 'applications', limit: 500 })).items) {
      const a = await new QueryEngine(h.store).applicationAccess(String(app.id));
      if (a.principals.some((p) => p.type === 'CyberArkRole' && p.name === role.name)) own.add(a.application.id);
    }
    expect(own.size).toBeGreaterThan(0);
    expect(new Set(rows.filter((r) => r.principal_name === role.name).map((r) => r.resource_id))).toEqual(own);
    const miss = expectProblem(await h.get(exportUrl(`role:${role.name}x`), 'reviewer'), 404);
    expect(miss.suggestions).toContain(role.name);
  });

  it('all scope: every safe then every application, row for row', async () => {
    const { rows } = parseCsvExport((await h.get(exportUrl('all', '&format=csv'), 'reviewer')).body);
    let expected = 0;
    for (const s of (await new QueryEngine(h.store).listAssets({ type: 'safes', limit: 500 })).items) {
      expected += expectedRows((await new QueryEngine(h.store).safeAccess(String(s.id))).principals).length;
    }
    for (const a of (await new QueryEngine(h.store).listAssets({ type: 'applications', limit: 500 })).items) {
      expected += expectedRows((await new QueryEngine(h.store).applicationAccess(String(a.id))).principals).length;
    }
    expect(rows).toHaveLength(expected);
    const types = rows.map((r) => r.resource_type);
    expect(types.lastIndexOf('Safe')).toBeLessThan(types.indexOf('CyberArkApplication'));
  });

  it('neutralises formula injection in every text cell', async () => {
    const r = await h.get(exportUrl('all', '&format=csv'), 'reviewer');
    expect(r.body).toContain(`"'${FORMULA_SAFE}"`); // neutralised and quoted (it holds a comma)
    const { rows } = parseCsvExport(r.body);
    const cells = rows.flatMap((row) => Object.values(row));
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    expect(rows.some((row) => row.resource_name === `'${FORMULA_SAFE}`)).toBe(true);
    expect(rows.some((row) => row.principal_display_name === `'${FORMULA_DISPLAY}`)).toBe(true);
    expect(rows.some((row) => row.principal_display_name === `'${FORMULA_DISPLAY_2}`)).toBe(true);
    // JSON is data, not a spreadsheet: values are unchanged there.
    const asJson = JSON.parse((await h.get(exportUrl(`safe:${FORMULA_SAFE}`, '&format=json'), 'reviewer')).body);
    expect(asJson[0].resource_name).toBe(FORMULA_SAFE);
  });

  it('unknown scopes fail before anything is streamed', async () => {
    expectProblem(await h.get(exportUrl('safe:No Such Safe'), 'reviewer'), 404, 'not-found');
    expectProblem(await h.get(exportUrl('user:nobody@nowhere'), 'reviewer'), 404, 'not-found');
    expectProblem(await h.get(exportUrl('safe:'), 'reviewer'), 400, 'bad-request');
  });
});

describe('correlation report', () => {
  it('JSON equals the store report; CSV has the documented columns', async () => {
    const r = await h.get('/api/v1/reports/correlation', 'reviewer');
    expect(json(r.body)).toEqual(same(await new QueryEngine(h.store).correlationReport()));
    const csv = await h.get('/api/v1/reports/correlation?format=csv', 'reviewer');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const { header, rows } = parseCsvExport(csv.body);
    expect(header[0]).toBe('section');
    expect(rows.filter((x) => x.section === 'summary').length).toBeGreaterThan(0);
    const viaAccept = await h.get('/api/v1/reports/correlation', 'reviewer', { accept: 'text/csv' });
    expect(viaAccept.body).toBe(csv.body);
  });
});

describe('real HTTP', () => {
  let base: string;
  beforeAll(async () => {
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });

  it('answers over a socket, streams an export and refuses without a token', async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const denied = await fetch(`${base}/api/v1/safes`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="arkgraph"');
    const r = await fetch(`${base}/api/v1/exports/access-review?scope=all&format=csv`, {
      headers: { authorization: `Bearer ${h.tokens.reviewer}` },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('transfer-encoding')).toBe('chunked');
    const bytes = new Uint8Array(await r.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const { rows } = parseCsvExport(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
    expect(rows.length).toBeGreaterThan(100);
    const who = await fetch(`${base}/api/v1/safes/${enc(safeName)}/access?permission=retrieveAccounts`, {
      headers: { authorization: `Bearer ${h.tokens.reader}` },
    });
    expect(await who.json()).toEqual(
      same(await new QueryEngine(h.store).whoCan('retrieveAccounts', safeName, FIRST_PAGE)),
    );
  });
});

describe('logs', () => {
  it('carry request ids and never a secret (client secret, API tokens, bearer values)', async () => {
    const logs = h.logs();
    expect(logs).toContain('"reqId"');
    expect(logs).toContain('sync started');
    expect(logs).toContain('"tokenName":"reviewer"');
    const secrets = [
      tenant.identity.oauthClients[0]!.clientSecret,
      h.tokens.reader,
      h.tokens.reviewer,
      h.tokens.admin,
      ...tenant.privilegeCloud.pasLogins.map((l) => l.password),
    ];
    for (const s of secrets) expect(logs).not.toContain(s);
    expect(logs).not.toMatch(/Bearer [A-Za-z0-9._~+/=-]{8,}/);
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{4,}\./); // no JWT (the simulator's access tokens)
  });
});
