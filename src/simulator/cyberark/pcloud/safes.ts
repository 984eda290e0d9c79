/** Privilege Cloud safes and safe members (CyberArk docs: List Safes, List Safe Members). */
import type { FastifyInstance } from 'fastify';
import type { Safe, SafeMember } from '../../../tenant/format/index.js';
import { cappedPageSize } from '../../shared/fault-injection.js';
import { queryOf, truthy } from '../../shared/http.js';
import type { TenantModel } from '../model.js';
import { badParam, PAS_ERRORS, PasError } from './errors.js';
import { isExpired, legacySafeObject, memberObject, safeObject } from './objects.js';
import { API, boolTerm, nextLink, paging, parseFilter, sorter } from './params.js';
import type { PCloudShapes } from './shapes.js';

export function registerSafeRoutes(api: FastifyInstance, model: TenantModel, shapes: PCloudShapes): void {
  const pc = model.tenant.privilegeCloud;
  const { variations } = shapes;
  api.get(`${API}/Safes`, async (request) => {
    const q = queryOf(request);
    const { offset, limit } = paging(q, 25);
    let safes = [...pc.safes];
    if (q.search) {
      const needle = q.search.toLowerCase();
      safes = safes.filter((s) => s.name.toLowerCase().includes(needle));
    }
    const order = sorter<Safe>(q.sort, {
      safeName: (s) => s.name,
      managingCPM: (s) => s.managingCPM,
      safeNumber: (s) => s.safeNumber,
    });
    if (order) safes.sort(order);
    const served = cappedPageSize(request, limit);
    const page = safes.slice(offset, offset + served);
    const next = offset + page.length;
    // PAS 12.1 and older (CyberArk docs): {Safes, Total}, PascalCase, four fields a safe, no nextLink.
    if (shapes.legacySafes) return { Safes: page.map(legacySafeObject), Total: safes.length };
    const detail = {
      includeAccounts: truthy(q.includeaccounts),
      extendedDetails: q.extendeddetails === undefined || truthy(q.extendeddetails),
    };
    const out: Record<string, unknown> = {
      value: page.map((s) => safeObject(model, s, detail, variations)),
      count: safes.length,
    };
    // Relative to /PasswordVault/ (psPAS Get-NextLink), only while more remain, keeping the other query parameters.
    if (next < safes.length) out.nextLink = nextLink(request, 'API/Safes', next, limit, [['useCache', 'False']]);
    return out;
  });

  const findSafe = (id: string): Safe => {
    const safe = model.safesByName.get(id);
    if (!safe) throw new PasError(404, PAS_ERRORS.safeNotFound, `Safe ${id} was not found.`);
    return safe;
  };

  api.get<{ Params: { safeUrlId: string } }>(`${API}/Safes/:safeUrlId`, async (request) => {
    const q = queryOf(request);
    const safe = findSafe(request.params.safeUrlId);
    return safeObject(
      model,
      safe,
      {
        includeAccounts: truthy(q.includeaccounts),
        extendedDetails: q.extendeddetails === undefined || truthy(q.extendeddetails),
      },
      variations,
    );
  });

  api.get<{ Params: { safeUrlId: string } }>(`${API}/Safes/:safeUrlId/Members`, async (request) => {
    const q = queryOf(request);
    const safe = findSafe(request.params.safeUrlId);
    const { offset, limit } = paging(q, 25);
    const terms = q.filter ? parseFilter(q.filter, ['memberType', 'membershipExpired', 'includePredefinedUsers']) : [];
    // The default of includePredefinedUsers is unconfirmed; the simulator follows a recorded ISPSS session, where a
    // request without the filter returned no predefined users.
    let includePredefined = false;
    const now = Math.floor(Date.now() / 1000);
    let members = [...safe.members];
    for (const t of terms) {
      if (t.key === 'includePredefinedUsers') includePredefined = boolTerm(t);
      else if (t.key === 'membershipExpired') {
        const want = boolTerm(t);
        members = members.filter((m) => isExpired(m, now) === want);
      } else {
        const v = t.value.toLowerCase();
        if (!['user', 'group', 'role'].includes(v)) throw badParam('memberType must be user or group');
        // A Role member counts as a group (in the ISPSS capture Identity roles appear as Group).
        members = members.filter((m) =>
          v === 'user' ? m.memberType === 'User' : v === 'group' ? m.memberType !== 'User' : m.memberType === 'Role',
        );
      }
    }
    if (!includePredefined) members = members.filter((m) => !m.isPredefinedUser);
    if (q.search) {
      const needle = q.search.toLowerCase();
      members = members.filter((m) => m.memberName.toLowerCase().includes(needle));
    }
    const order = sorter<SafeMember>(q.sort, { memberName: (m) => m.memberName, memberType: (m) => m.memberType });
    if (order) members.sort(order);
    const served = cappedPageSize(request, limit);
    const page = members.slice(offset, offset + served);
    // Real answers carry `count` (the total) and `value` only, never a nextLink, even while more remain: a
    // client pages by offset/limit until it has `count` members.
    return { value: page.map((m) => memberObject(safe, m, now, variations)), count: members.length };
  });

  api.get<{ Params: { safeUrlId: string; memberName: string } }>(
    `${API}/Safes/:safeUrlId/Members/:memberName`,
    async (request) => {
      const safe = findSafe(request.params.safeUrlId);
      const wanted = request.params.memberName.toLowerCase();
      const member = safe.members.find((m) => m.memberName.toLowerCase() === wanted);
      if (!member) {
        throw new PasError(
          404,
          PAS_ERRORS.notFound,
          `Member ${request.params.memberName} was not found in safe ${safe.name}.`,
        );
      }
      return memberObject(safe, member, Math.floor(Date.now() / 1000), variations);
    },
  );
}
