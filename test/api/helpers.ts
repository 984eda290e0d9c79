/** Shared set-up for the API tests: a simulator, a temporary embedded store, the API with three tokens, captured logs. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { parseTokenList } from '../../src/api/auth.js';
import { type BuildApiOptions, buildApi } from '../../src/api/server.js';
import { type ArkgraphConfig, loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import { MemoryStore } from '../../src/store/memory/store.js';
import { syncConfigFrom } from '../../src/sync/config.js';
import { runSync } from '../../src/sync/run.js';
import type { Tenant } from '../../src/tenant/format/index.js';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { FAST_HTTP } from '../e2e/helpers.js';

export type Role = 'reader' | 'reviewer' | 'admin';

/** A fresh random token per role (base64url, 43 characters). */
export function newTokens(): Record<Role, string> {
  const t = () => randomBytes(32).toString('base64url');
  return { reader: t(), reviewer: t(), admin: t() };
}

export interface ApiHarness {
  app: FastifyInstance;
  sim: Simulator;
  store: MemoryStore;
  config: ArkgraphConfig;
  tenant: Tenant;
  tokens: Record<Role, string>;
  dataDir: string;
  /** Everything logged so far (JSON lines). */
  logs(): string;
  /** Authorization header for a role. */
  auth(role: Role): { authorization: string };
  get(url: string, role?: Role, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A sync straight through runSync (fast retries), outside the API. */
  sync(): ReturnType<typeof runSync>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  tenant?: Tenant;
  simulator?: Partial<SimulatorOptions>;
  api?: Partial<BuildApiOptions>;
  /** Sync once before the API starts (default true). */
  initialSync?: boolean;
  /** Use runSync with fast retries as the API's sync runner (default false: the real default runner). */
  fastRunner?: boolean;
  /** More configuration variables (e.g. a directory source). */
  env?: Record<string, string>;
}

export async function startApiHarness(options: HarnessOptions = {}): Promise<ApiHarness> {
  const tenant = options.tenant ?? generateTenant('small', 5);
  const sim = await startSimulator({ tenant, ...options.simulator });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-api-'));
  const client = tenant.identity.oauthClients[0]!;
  const config = await loadConfig({
    cwd: dataDir,
    env: {
      ARKGRAPH_IDENTITY_URL: sim.identityUrl,
      ARKGRAPH_PCLOUD_URL: sim.pcloudUrl,
      ARKGRAPH_CLIENT_ID: client.clientId,
      ARKGRAPH_CLIENT_SECRET: client.clientSecret,
      ARKGRAPH_DATA_DIR: path.join(dataDir, 'data'),
      ...options.env,
    },
  });
  const store = new MemoryStore({ dataDir: config.dataDir });
  const syncConfig = { ...syncConfigFrom(config), http: FAST_HTTP };
  const sync = () => runSync(store, syncConfig);
  if (options.initialSync !== false) await sync();

  let logs = '';
  const logger = createLogger('debug', {
    write: (line: string) => {
      logs += line;
    },
  });
  const tokens = newTokens();
  const app = await buildApi({
    store,
    config,
    logger,
    tokens: parseTokenList(
      `reader=reader:${tokens.reader} reviewer=reviewer:${tokens.reviewer} admin=admin:${tokens.admin}`,
    ),
    ...(options.fastRunner ? { syncRunner: (hooks) => runSync(store, syncConfig, hooks) } : {}),
    ...options.api,
  });
  await app.ready();
  const auth = (role: Role) => ({ authorization: `Bearer ${tokens[role]}` });
  return {
    app,
    sim,
    store,
    config,
    tenant,
    tokens,
    dataDir,
    logs: () => logs,
    auth,
    get: (url, role, headers = {}) =>
      app.inject({ method: 'GET', url, headers: { ...(role ? auth(role) : {}), ...headers } }),
    sync,
    async close() {
      await app.close();
      await store.close();
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Asserts an RFC 9457 problem response and returns its body. */
export function expectProblem(r: LightMyRequestResponse, status: number, slug?: string): Record<string, unknown> {
  expect(r.statusCode, r.body).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(r.body) as Record<string, unknown>;
  expect(body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  expect(body.type).toMatch(/^urn:arkgraph:problem:/);
  expect(typeof body.instance).toBe('string');
  if (slug) expect(body.type).toBe(`urn:arkgraph:problem:${slug}`);
  expect(r.body).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack trace
  return body;
}

/**
 * A strict RFC 4180 parser: CRLF record ends only, quotes only around whole fields, doubled quotes inside. Throws on
 * anything else, so a malformed export fails the test rather than being read leniently.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        wasQuoted = true;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== '' || wasQuoted) throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      i++;
      continue;
    }
    if (c === ',') {
      row.push(field);
      field = '';
      wasQuoted = false;
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      wasQuoted = false;
      i += 2;
      continue;
    }
    if (c === '\r' || c === '\n') throw new Error(`bare line break outside quotes at ${i}`);
    if (wasQuoted) throw new Error(`text after a closing quote at ${i}`);
    field += c;
    i++;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) throw new Error('the last record has no CRLF');
  return rows;
}

/** Parses a CSV export (BOM required) into header + objects. */
export function parseCsvExport(body: string): { header: string[]; rows: Record<string, string>[] } {
  expect(body.startsWith('\uFEFF')).toBe(true);
  const [header, ...records] = parseCsv(body.slice(1));
  if (!header) throw new Error('no header');
  for (const r of records) expect(r.length).toBe(header.length);
  return { header, rows: records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!]))) };
}
