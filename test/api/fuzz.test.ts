/**
 * Property-based fuzzing of every GET route: random and hostile strings (unicode, control characters, percent
 * signs, path tricks, prototype keys, huge values) in path and query parameters, plus unknown parameters. Whatever
 * comes in, the API never answers 5xx, and every 4xx is an RFC 9457 problem.
 */

import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryEngine } from '../../src/queries/engine.js';
import { type ApiHarness, startApiHarness } from './helpers.js';

let h: ApiHarness;
let safe: string;
let user: string;

beforeAll(async () => {
  h = await startApiHarness({ api: { rateLimit: { max: 1_000_000, timeWindowMs: 60_000 } } });
  safe = String((await new QueryEngine(h.store).listAssets({ type: 'safes', offset: 3, limit: 1 })).items[0]!.name);
  user = String((await new QueryEngine(h.store).listAssets({ type: 'users', offset: 3, limit: 1 })).items[0]!.name);
});
afterAll(async () => {
  await h?.close();
});

/** Percent-encodes every UTF-8 byte (lone surrogates become U+FFFD): always a valid URL component. */
function pct(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

const NASTY = [
  '',
  ' ',
  '0',
  '-1',
  '1e400',
  '9'.repeat(40),
  'NaN',
  'Infinity',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'prototype',
  '../../etc/passwd',
  '/',
  '\\',
  '%',
  '%00',
  '\u0000',
  '\r\n',
  '\t=cmd',
  "' OR 1=1 --",
  '$where',
  '{"$gt":""}',
  'MATCH (n) DETACH DELETE n',
  '<script>alert(1)</script>',
  '\u202e\u200b\ufeff',
  '😀👩‍👩‍👧',
  'x'.repeat(600),
  'y'.repeat(5000),
  'all',
  'safe:',
  'role:',
  'user:',
  'csv',
  'json',
  'retrieveAccounts',
];

const value = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...NASTY),
  fc.integer().map(String),
  fc.bigInt().map(String),
  fc.double().map(String),
  fc.nat({ max: 600 }).map(String),
);

/** Raw (not re-encoded) path segments: bad escapes and separators go to the server as they are. */
const rawSegment = fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%2F', '%252F', '..', '.', '%00', '%FF%FE');

const extraKey = fc.oneof(
  fc.constantFrom('x', '__proto__', 'constructor', 'toString', 'limit[]', 'a.b'),
  fc.string({ maxLength: 10 }),
);

interface Route {
  name: string;
  path: (param: string) => string;
  /** Query parameters the route knows, with sensible values to mix with fuzz. */
  query: Record<string, string[]>;
  hasParam: boolean;
}

const ROUTES = (): Route[] => [
  { name: 'health', path: () => '/health', query: {}, hasParam: false },
  { name: 'ready', path: () => '/ready', query: {}, hasParam: false },
  {
    name: 'safe access',
    path: (p) => `/api/v1/safes/${p}/access`,
    query: { permission: ['retrieveAccounts', 'Manage Safe', 'nope'] },
    hasParam: true,
  },
  { name: 'user access', path: (p) => `/api/v1/users/${p}/access`, query: {}, hasParam: true },
  { name: 'account access', path: (p) => `/api/v1/accounts/${p}/access`, query: {}, hasParam: true },
  {
    name: 'paths',
    path: () => '/api/v1/paths',
    query: { from: [user], safe: [safe], maxDepth: ['1', '8', '12', '13'] },
    hasParam: false,
  },
  ...['safes', 'users', 'groups', 'roles', 'applications', 'accounts'].map((t) => ({
    name: t,
    path: () => `/api/v1/${t}`,
    query: { offset: ['0', '5', '100000'], limit: ['1', '500', '501'], search: ['a', 'Prod'] },
    hasParam: false,
  })),
  {
    name: 'export',
    path: () => '/api/v1/exports/access-review',
    query: {
      scope: [`safe:${safe}`, `user:${user}`, 'role:Everybody'],
      format: ['csv', 'json'],
      inactiveDays: ['1', '90'],
    },
    hasParam: false,
  },
  {
    name: 'correlation',
    path: () => '/api/v1/reports/correlation',
    query: { format: ['csv', 'json'] },
    hasParam: false,
  },
  { name: 'sync runs', path: () => '/api/v1/sync/runs', query: { limit: ['1', '200', '201'] }, hasParam: false },
  { name: 'sync run', path: (p) => `/api/v1/sync/runs/${p}`, query: {}, hasParam: true },
];

function check(r: LightMyRequestResponse, url: string): void {
  const where = `${r.statusCode} GET ${url.slice(0, 300)}: ${r.body.slice(0, 300)}`;
  expect(r.statusCode, where).toBeLessThan(500);
  if (r.statusCode >= 400) {
    expect(r.headers['content-type'], where).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(r.body) as Record<string, unknown>;
    expect(body.status, where).toBe(r.statusCode);
    expect(typeof body.type).toBe('string');
    expect(typeof body.title).toBe('string');
    expect(typeof body.detail).toBe('string');
    expect(typeof body.instance).toBe('string');
    expect(r.body).not.toMatch(/\n\s+at /);
  } else if (String(r.headers['content-type']).startsWith('application/json')) {
    JSON.parse(r.body);
  }
}

describe('fuzzing every GET route', () => {
  // Names now; the routes (with the tenant's names in their sample values) once the harness is up.
  for (const name of ROUTES().map((r) => r.name)) {
    it(`${name}: no 5xx, problems on 4xx`, async () => {
      const route = ROUTES().find((r) => r.name === name)!;
      const keys = Object.keys(route.query);
      const param = fc.oneof(
        value.map(pct),
        rawSegment,
        fc.constantFrom(pct(safe), pct(user), pct(safe.toLowerCase())),
      );
      const query = fc.array(
        fc.tuple(
          keys.length ? fc.oneof(fc.constantFrom(...keys), extraKey) : extraKey,
          fc.oneof(value, keys.length ? fc.constantFrom(...keys.flatMap((k) => route.query[k]!)) : value),
        ),
        { maxLength: keys.length + 1 },
      );
      const accept = fc.constantFrom(undefined, 'text/csv', 'application/json', '*/*', 'text/html;q=0.9, text/csv');
      await fc.assert(
        fc.asyncProperty(param, query, accept, async (p, q, acc) => {
          const qs = q.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
          const url = `${route.path(p)}${qs ? `?${qs}` : ''}`;
          const r = await h.app.inject({
            method: 'GET',
            url,
            headers: { ...h.auth('reviewer'), ...(acc ? { accept: acc } : {}) },
          });
          check(r, url);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('well-formed values of every known parameter are accepted or refused cleanly', async () => {
    for (const route of ROUTES()) {
      for (const [k, values] of Object.entries(route.query)) {
        for (const v of values) {
          const url = `${route.path(pct(safe))}?${k}=${pct(v)}`;
          check(await h.app.inject({ method: 'GET', url, headers: h.auth('reviewer') }), url);
        }
      }
    }
  });
});
