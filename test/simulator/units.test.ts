import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/simulator/cyberark/pcloud/params.js';
import { QueryError } from '../../src/simulator/cyberark/redrock/dataset.js';
import { compileMongoFilter } from '../../src/simulator/cyberark/redrock/mongo-filter.js';
import { paginate, readArgs } from '../../src/simulator/cyberark/redrock/paging.js';
import { parseQuery } from '../../src/simulator/cyberark/redrock/sql-parser.js';
import { FaultController, RequestCounters } from '../../src/simulator/index.js';
import {
  cappedPageSize,
  dropFields,
  faultInjection,
  truncateJson,
} from '../../src/simulator/shared/fault-injection.js';
import { defaultRouteMatcher } from '../../src/simulator/shared/route-match.js';

describe('defaultRouteMatcher', () => {
  const m = (path: string | RegExp, reqPath: string, method?: string, reqMethod = 'GET') =>
    defaultRouteMatcher({ path, method }, { method: reqMethod, path: reqPath });

  it('string paths: case-insensitive segment prefix, trailing slash ignored', () => {
    expect(m('/redrock/query', '/Redrock/Query/')).toBe(true);
    expect(m('/redrock/query', '/redrock/queryx')).toBe(false);
    expect(m('/passwordvault/api/safes', '/PasswordVault/API/Safes/X/Members')).toBe(true);
    expect(m('/', '/anything')).toBe(true);
  });

  it('globs are anchored; decoded paths match too', () => {
    expect(m('/passwordvault/api/safes*', '/PasswordVault/API/Safes')).toBe(true);
    expect(m('/passwordvault/api/safes/*/members', '/PasswordVault/API/Safes/Linux%20Prod/Members')).toBe(true);
    expect(m('/passwordvault/api/safes/*/members', '/PasswordVault/API/Safes/Linux%20Prod/Members/alice')).toBe(false);
    expect(m('/passwordvault/api/safes/linux prod', '/PasswordVault/API/Safes/Linux%20Prod')).toBe(true);
  });

  it('methods and RegExps', () => {
    expect(m('/x', '/x', 'post', 'POST')).toBe(true);
    expect(m('/x', '/x', 'POST', 'GET')).toBe(false);
    expect(m(/^\/a\/\d+$/g, '/a/12')).toBe(true);
    expect(m(/^\/a\/\d+$/g, '/a/12')).toBe(true); // lastIndex of a global RegExp is reset
  });
});

describe('FaultController', () => {
  it('claims rules lazily in order, honouring skip and times', () => {
    const c = new FaultController();
    const a = c.add({ match: { path: '/x' }, skip: 1, times: 1, kind: 'expireToken' });
    const b = c.add({ match: { path: '/x' }, kind: 'malformedJson' });
    const kinds = () => [...c.claim({ method: 'GET', path: '/x' })].map((r) => r.kind);
    expect(kinds()).toEqual(['malformedJson']);
    expect(kinds()).toEqual(['expireToken', 'malformedJson']);
    expect(kinds()).toEqual(['malformedJson']);
    expect(c.status(a)).toMatchObject({ matched: 3, applied: 1 });
    expect(c.status(b)).toMatchObject({ matched: 3, applied: 3 });
    // Stopping early leaves later rules unclaimed.
    const first = c.claim({ method: 'GET', path: '/x' }).next();
    expect(first.value?.kind).toBe('malformedJson');
    expect(c.status(b)?.applied).toBe(4);
    c.clear();
    expect(c.list()).toEqual([]);
  });

  it('validates rules and latency', () => {
    const c = new FaultController();
    expect(() => c.add({ match: { path: '/x' }, times: -1, kind: 'dropConnection' })).toThrow();
    expect(() => c.add({ match: { path: '/x' }, kind: 'status5xx', status: 501 as 500 })).toThrow();
    expect(() => c.add({ match: { path: '/x' }, kind: 'missingField', field: '' })).toThrow();
    expect(() => c.setLatency({ fixedMs: -5 })).toThrow();
    c.setLatency({ fixedMs: 5 });
    expect(c.latency).toEqual({ fixedMs: 5 });
  });
});

describe('helpers', () => {
  it('RequestCounters normalise keys', () => {
    const c = new RequestCounters();
    c.hit('post', '/Redrock/Query/?a=1');
    c.hit('POST', '/redrock/query');
    expect(c.get('POST /redrock/query')).toBe(2);
    expect(c.get('post /REDROCK/QUERY/')).toBe(2);
    expect(c.total()).toBe(2);
  });

  it('dropFields copies and removes nested fields; truncateJson never parses', () => {
    const input = { value: [{ a: 1, b: { a: 2, c: 3 } }], a: 0 };
    expect(dropFields(input, new Set(['a']))).toEqual({ value: [{ b: { c: 3 } }] });
    expect(input.a).toBe(0);
    for (const text of ['{"a":1}', '"tokentokentoken"', '[1,2,3]', '12345', 'x']) {
      expect(() => JSON.parse(truncateJson(text))).toThrow();
    }
  });

  it('the plugin works on any Fastify app (generic: no CyberArk knowledge)', async () => {
    const controller = new FaultController([{ match: { path: '/items' }, kind: 'pageSizeCap', max: 2 }]);
    const app = Fastify();
    await app.register(faultInjection, { controller, errorBody: (status) => ({ error: { code: status } }) });
    app.get('/items', async (request) => ({ size: cappedPageSize(request, 10) }));
    app.get('/other', async (request) => ({ size: cappedPageSize(request, 10) }));
    expect((await app.inject('/items')).json()).toEqual({ size: 2 });
    expect((await app.inject('/other')).json()).toEqual({ size: 10 });
    controller.add({ match: { path: '/other' }, times: 1, kind: 'status429', retryAfter: { seconds: 3 } });
    const limited = await app.inject('/other');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(limited.json()).toEqual({ error: { code: 429 } });
    await app.close();
  });
});

describe('Redrock SQL subset', () => {
  it('parses select lists, aliases, WHERE and ORDER BY', () => {
    const q = parseQuery(
      `SELECT ID, Name AS n FROM Role WHERE (Name LIKE '%adm%' OR RoleType != 'Script') AND Description IS NOT NULL ORDER BY Name COLLATE NOCASE DESC, ID;`,
    );
    expect(q.table).toBe('Role');
    expect(q.select).toEqual([
      { column: 'ID', alias: 'ID' },
      { column: 'Name', alias: 'n' },
    ]);
    expect(q.orderBy).toEqual([
      { column: 'Name', desc: true, nocase: true },
      { column: 'ID', desc: false, nocase: false },
    ]);
    expect(q.where?.op).toBe('and');
  });

  it('rejects what it does not support', () => {
    for (const sql of [
      'Select ID from User where LastLogin > 3',
      'Select COUNT(*) from User',
      'Select ID from User GROUP BY ID',
      "Select ID from User where Name = 'unterminated",
      'Select from User',
    ]) {
      expect(() => parseQuery(sql), sql).toThrow(QueryError);
    }
  });

  it('readArgs and paginate', () => {
    const args = readArgs({ args: { pageNumber: '0', pagesize: 2, Limit: 5, SortBy: 'Name, ID', Direction: 'False' } });
    expect(args).toEqual({ pageNumber: 1, pageSize: 2, limit: 5, sortBy: ['Name', 'ID'], ascending: false });
    const rows = [1, 2, 3, 4, 5, 6, 7];
    expect(paginate(rows, { ...args, pageNumber: 3 })).toEqual({ page: [5], fullCount: 5 });
    expect(paginate(rows, { ...args, pageSize: undefined, limit: undefined })).toEqual({ page: rows, fullCount: 7 });
    expect(paginate(rows, { ...args, pageSize: undefined, limit: undefined, pageNumber: 2 }, 3).page).toEqual([
      4, 5, 6,
    ]);
  });

  it('Mongo-like filters', () => {
    const cols = [
      { name: 'Name', type: 'string' as const },
      { name: 'IsHidden', type: 'boolean' as const },
    ];
    const f = compileMongoFilter({ _and: [{ Name: { _like: 'ADM' } }, { IsHidden: false }] }, cols);
    expect(f({ Name: 'System Admins', IsHidden: false })).toBe(true);
    expect(f({ Name: 'System Admins', IsHidden: true })).toBe(false);
    const cs = compileMongoFilter({ Name: { _like: { value: 'ADM', ignoreCase: false } } }, cols);
    expect(cs({ Name: 'System Admins' })).toBe(false);
    const pattern = compileMongoFilter({ name: { _like: 'sys%' } }, cols);
    expect(pattern({ Name: 'System' })).toBe(true);
    expect(() => compileMongoFilter({ Name: { _gt: 1 } }, cols)).toThrow(QueryError);
    expect(() => compileMongoFilter([], cols)).toThrow(QueryError);
  });
});

describe('PAS filter parsing', () => {
  it('splits on AND only before a known term; quoted values may contain anything', () => {
    expect(parseFilter('safeName eq Ops and Dev', ['safeName', 'modificationTime'], ['eq', 'gte'])).toEqual([
      { key: 'safeName', op: 'eq', value: 'Ops and Dev' },
    ]);
    expect(
      parseFilter(
        `SAFENAME EQ "R&D AND x" and modificationTime gte 5`,
        ['safeName', 'modificationTime'],
        ['eq', 'gte'],
      ),
    ).toEqual([
      { key: 'safeName', op: 'eq', value: 'R&D AND x' },
      { key: 'modificationTime', op: 'gte', value: '5' },
    ]);
    expect(() => parseFilter('nope eq 1', ['safeName'])).toThrow();
    expect(() => parseFilter("safeName eq 'open", ['safeName'])).toThrow();
  });
});
