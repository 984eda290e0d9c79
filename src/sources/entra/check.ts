/** Entra ID's connection test: the token, then one user, one group and one page of that group's members. */
import { z } from 'zod';
import { Checks } from '../checks.js';
import type { SourceCheckResult, SourceContext } from '../source.js';
import { createEntraClient, type EntraSourceConfig } from './extract.js';

const graphPage = z.looseObject({ value: z.array(z.looseObject({ id: z.string() })) });

export async function checkEntra(cfg: EntraSourceConfig, ctx: SourceContext): Promise<SourceCheckResult> {
  const checks = new Checks();
  const client = createEntraClient(cfg, ctx.http);
  const first = async (path: string, endpoint: string) => {
    const page = await client.request({
      method: 'GET',
      path,
      query: { $select: 'id', $top: 1 },
      schema: graphPage,
      endpoint,
    });
    return page.value[0]?.id ?? null;
  };
  await checks.run('token', () => client.auth!.authorization(client));
  await checks.run('GET /v1.0/users (1 user)', () => first('/v1.0/users', 'GET /v1.0/users'));
  const group = await checks.run('GET /v1.0/groups (1 group)', () => first('/v1.0/groups', 'GET /v1.0/groups'));
  if (group) {
    await checks.run('GET /v1.0/groups/{id}/members (1 page)', () =>
      first(`/v1.0/groups/${encodeURIComponent(group)}/members`, 'GET /v1.0/groups/{id}/members'),
    );
  } else if (group === null) checks.skip('GET /v1.0/groups/{id}/members (1 page)', 'no group visible');
  return checks.result();
}
