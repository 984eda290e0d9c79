/** Privilege Cloud accounts (CyberArk docs: Get Accounts; psPAS Get-PASAccount). */
import type { FastifyInstance } from 'fastify';
import type { Account } from '../../../tenant/format/index.js';
import { cappedPageSize } from '../../shared/fault-injection.js';
import { queryOf } from '../../shared/http.js';
import type { TenantModel } from '../model.js';
import { badParam, PAS_ERRORS, PasError } from './errors.js';
import { accountObject } from './objects.js';
import { API, nextLink, paging, parseFilter, sorter } from './params.js';

export function registerAccountRoutes(api: FastifyInstance, model: TenantModel): void {
  const pc = model.tenant.privilegeCloud;
  api.get(`${API}/Accounts`, async (request) => {
    const q = queryOf(request);
    const { offset, limit } = paging(q, 50);
    // The documented maximum is 1000; the answer above it is undocumented (400 is a guess).
    if (limit > 1000) {
      throw new PasError(
        400,
        PAS_ERRORS.accountsLimit,
        `The limit parameter must be between 1 and 1000 (got ${limit}).`,
      );
    }
    let accounts: Account[] = pc.accounts;
    for (const t of q.filter ? parseFilter(q.filter, ['safeName', 'modificationTime'], ['eq', 'gte']) : []) {
      if (t.key === 'safeName') {
        if (t.op !== 'eq') throw badParam('safeName supports eq only');
        const ofSafe = model.accountsOfSafe(t.value);
        if (accounts === pc.accounts) accounts = ofSafe;
        else {
          const current = new Set(accounts);
          accounts = ofSafe.filter((a) => current.has(a));
        }
      } else {
        const since = Number(t.value);
        if (t.op !== 'gte' || !Number.isFinite(since)) throw badParam('modificationTime needs gte <epoch seconds>');
        accounts = accounts.filter((a) => (a.lastModifiedTime ?? a.createdTime) >= since);
      }
    }
    if (q.search?.trim()) {
      const words = q.search.toLowerCase().split(/\s+/).filter(Boolean);
      const startsWith = (q.searchtype ?? 'contains').toLowerCase() === 'startswith';
      accounts = accounts.filter((a) => {
        const fields = [a.name, a.userName, a.address, a.platformId, a.safeName]
          .filter((f): f is string => !!f)
          .map((f) => f.toLowerCase());
        return words.every((w) => fields.some((f) => (startsWith ? f.startsWith(w) : f.includes(w))));
      });
    }
    const order = sorter<Account>(q.sort, {
      name: (a) => a.name,
      userName: (a) => a.userName,
      address: (a) => a.address,
      platformId: (a) => a.platformId,
      safeName: (a) => a.safeName,
      createdTime: (a) => a.createdTime,
    });
    if (order) accounts = [...accounts].sort(order);
    const served = cappedPageSize(request, limit);
    const page = accounts.slice(offset, offset + served);
    const next = offset + page.length;
    const out: Record<string, unknown> = { value: page.map(accountObject), count: accounts.length };
    if (next < accounts.length) out.nextLink = nextLink(request, 'api/Accounts', next, limit);
    return out;
  });

  api.get<{ Params: { id: string } }>(`${API}/Accounts/:id`, async (request) => {
    const account = model.accountsById.get(request.params.id);
    if (!account) throw new PasError(404, PAS_ERRORS.notFound, `Account ${request.params.id} was not found.`);
    return accountObject(account);
  });
}
