/** Privilege Cloud vault users and user groups (CyberArk docs: Get Users; psPAS Get-PASGroup). */
import type { FastifyInstance } from 'fastify';
import { queryOf, truthy } from '../../shared/http.js';
import type { TenantModel } from '../model.js';
import { badParam, PAS_ERRORS, PasError } from './errors.js';
import { groupObject, userObject } from './objects.js';
import { API, parseFilter } from './params.js';

export function registerVaultUserRoutes(api: FastifyInstance, model: TenantModel): void {
  const pc = model.tenant.privilegeCloud;
  api.get(`${API}/Users`, async (request) => {
    const q = queryOf(request);
    let users = pc.vaultUsers;
    if (q.search) {
      const needle = q.search.toLowerCase();
      users = users.filter((u) => u.username.toLowerCase().includes(needle));
    }
    const extended = truthy(q.extendeddetails);
    // No paging.
    return { Users: users.map((u) => userObject(u, extended ? pc.vaultGroups : undefined)), Total: users.length };
  });

  api.get(`${API}/UserGroups`, async (request) => {
    const q = queryOf(request);
    let groups = pc.vaultGroups;
    for (const t of q.filter ? parseFilter(q.filter, ['groupType', 'groupName']) : []) {
      const v = t.value.toLowerCase();
      if (t.key === 'groupType') {
        if (v !== 'vault' && v !== 'directory') throw badParam('groupType must be Vault or Directory');
        groups = groups.filter((g) => g.groupType.toLowerCase() === v);
      } else groups = groups.filter((g) => g.groupName.toLowerCase() === v);
    }
    if (q.search) {
      const needle = q.search.toLowerCase();
      groups = groups.filter((g) => g.groupName.toLowerCase().includes(needle));
    }
    const includeMembers = truthy(q.includemembers);
    return { value: groups.map((g) => groupObject(g, includeMembers)), count: groups.length };
  });

  api.get<{ Params: { id: string } }>(`${API}/UserGroups/:id`, async (request) => {
    const group = pc.vaultGroups.find((g) => String(g.id) === request.params.id);
    if (!group) throw new PasError(404, PAS_ERRORS.notFound, `Group ${request.params.id} was not found.`);
    return groupObject(group, true);
  });
}
