/**
 * The API with a directory synced (Entra ID through the Graph simulator): the export's directory columns and flags
 * (correlated identities, enabled, disabled_in_directory, orphan as the correlation report judges it), and the
 * Entra checks of POST /sources/test — without the Entra client secret anywhere.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine } from '../../src/queries/engine.js';
import { type GraphSimulator, startGraphSimulator } from '../../src/simulator/index.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { type ApiHarness, startApiHarness } from './helpers.js';

const tenant = generateTenant('small', 51);
const entra = tenant.entra!;
let graph: GraphSimulator;
let h: ApiHarness;

beforeAll(async () => {
  graph = await startGraphSimulator({ entra });
  h = await startApiHarness({
    tenant,
    env: {
      ARKGRAPH_ENTRA_TENANT_ID: entra.tenantId,
      ARKGRAPH_ENTRA_CLIENT_ID: entra.clients[0]!.clientId,
      ARKGRAPH_ENTRA_CLIENT_SECRET: entra.clients[0]!.clientSecret,
      ARKGRAPH_ENTRA_AUTHORITY_URL: graph.authorityUrl,
      ARKGRAPH_ENTRA_GRAPH_URL: graph.graphUrl,
    },
  });
});
afterAll(async () => {
  await h?.close();
  await graph?.close();
});

interface Row {
  principal_type: string;
  principal_id: string;
  directory_identities: { kind: string; enabled: boolean | null }[];
  directory_enabled: boolean | null;
  disabled_in_directory: boolean | null;
  orphan: boolean | null;
  flags: string[];
}

describe('export with a synced directory', () => {
  it('directory columns and the orphan flag agree with the store and the correlation report', async () => {
    expect((await h.store.syncRuns(1))[0]?.sources).toContain('entra');
    const rows = JSON.parse(
      (await h.get('/api/v1/exports/access-review?scope=all&format=json', 'reviewer')).body,
    ) as Row[];
    const report = await new QueryEngine(h.store).correlationReport();
    const orphans = new Set(report.cyberark_orphans.users.map((u) => u.id));
    const types = new Map(
      (await new QueryEngine(h.store).listAssets({ type: 'users', limit: 10_000 })).items.map((u) => [
        String(u.id),
        String(u.directory_service_type ?? ''),
      ]),
    );
    let correlated = 0;
    let judged = 0;
    for (const row of rows.filter((r) => r.principal_type === 'CyberArkUser')) {
      const type = types.get(row.principal_id)!.toLowerCase();
      if (type === 'fds') {
        judged++;
        expect(row.orphan).toBe(orphans.has(row.principal_id));
      } else if (type === 'adproxy') {
        expect(row.orphan).toBeNull(); // Active Directory is not synced here: not judged
      } else {
        expect(row.orphan).toBe(false);
      }
      if (row.directory_identities.length) correlated++;
      const disabled = row.directory_identities.some((d) => d.enabled === false);
      expect(row.disabled_in_directory).toBe(disabled);
      expect(row.directory_enabled).toBe(
        row.directory_identities.length === 0
          ? null
          : disabled
            ? false
            : row.directory_identities.every((d) => d.enabled === true)
              ? true
              : null,
      );
      expect(row.flags.includes('orphan')).toBe(row.orphan === true);
    }
    expect(correlated).toBeGreaterThan(0);
    expect(judged).toBeGreaterThan(0);
  });

  it('CSV renders the directory identities with their state', async () => {
    const r = await h.get('/api/v1/exports/access-review?scope=all&format=csv', 'reviewer');
    expect(r.body).toMatch(/EntraUser:[^,;]+ \((enabled|disabled)\)/);
  });
});

describe('POST /sources/test with Entra ID', () => {
  it('tests the token and one read per Graph permission, without the client secret in the answer or the logs', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/v1/sources/test', headers: h.auth('admin') });
    const body = JSON.parse(r.body);
    expect(body.sources.entra).toEqual({
      ok: true,
      checks: [
        { name: 'token', ok: true },
        { name: 'GET /v1.0/users (1 user)', ok: true },
        { name: 'GET /v1.0/groups (1 group)', ok: true },
        { name: 'GET /v1.0/groups/{id}/members (1 page)', ok: true },
      ],
    });
    expect(body.ok).toBe(true);
    const secret = entra.clients[0]!.clientSecret;
    expect(r.body).not.toContain(secret);
    expect(h.logs()).not.toContain(secret);
  });
});
