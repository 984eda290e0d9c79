/**
 * Zod schemas of the API (the tests compare every answer with the store's, so a field the queries add later and
 * these schemas lack fails a test instead of silently disappearing): the query result shapes (src/queries/types.ts, identical to the CLI's --json output), sync
 * runs, problems and the export rows. Schemas registered in `apiRegistry` become named OpenAPI components.
 */
import { z } from 'zod';
import { EDGE_KINDS, NODE_KINDS } from '../graph/schema.js';

/**
 * Named schemas live in zod's global registry (with their ids), where `.describe()` puts descriptions too, so the
 * OpenAPI document gets both the components and the parameter descriptions.
 */
export const apiRegistry = z.globalRegistry;

function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  apiRegistry.add(schema, description ? { id, description } : { id });
  return schema;
}

const nodeKind = z.enum(NODE_KINDS);
const edgeKind = z.enum(EDGE_KINDS);

export const pathStepSchema = named(
  'PathStep',
  z.object({
    kind: nodeKind,
    id: z.string(),
    name: z.string(),
    via: edgeKind.optional().describe('The edge kind that led to this step'),
    reverse: z.boolean().optional().describe('The edge was followed against its direction'),
    permissions: z
      .array(z.string())
      .optional()
      .describe('On the last step: what that membership (or application ACE) grants'),
  }),
  'One step of a grant path',
);

export const grantPathSchema = z.array(pathStepSchema);

export const directoryIdentitySchema = named(
  'DirectoryIdentity',
  z.object({
    kind: nodeKind,
    id: z.string(),
    name: z.string(),
    enabled: z.boolean().nullable(),
    match_rule: z.string().nullable(),
  }),
);

const principalSummaryShape = {
  type: nodeKind,
  id: z.string(),
  native_id: z.string(),
  name: z.string(),
  tenant_id: z.string(),
  login_name: z.string().optional(),
  display_name: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  identity_type: z.string().nullable().optional(),
  is_active: z.boolean().nullable().optional(),
  last_login_at: z.string().nullable().optional(),
  role_type: z.string().nullable().optional(),
  members_unknown: z.boolean().nullable().optional(),
  directory_identities: z.array(directoryIdentitySchema).optional(),
};

export const principalSummarySchema = named('PrincipalSummary', z.object(principalSummaryShape));

export const principalAccessSchema = named(
  'PrincipalAccess',
  z.object({
    ...principalSummaryShape,
    permissions: z.array(z.string()),
    paths: z.array(grantPathSchema),
    path_count: z.number().int(),
    via_dynamic_role: z.boolean(),
    expired_membership_count: z
      .number()
      .int()
      .describe('Expired memberships of the safe the principal reaches at any depth (they grant nothing)'),
  }),
);

export const safeRefSchema = named('SafeRef', z.object({ id: z.string(), name: z.string(), tenant_id: z.string() }));
const appRefSchema = named('ApplicationRef', z.object({ id: z.string(), name: z.string(), tenant_id: z.string() }));

/** The paging fields of answers listing principals (PrincipalPage in src/queries/types.ts), and the page itself. */
const principalPageFields = {
  total: z.number().int().describe('Principals in the whole answer, across all pages'),
  offset: z.number().int().describe('Principals skipped before this page'),
  limit: z
    .number()
    .int()
    .nullable()
    .describe('Page size asked for (the API always pages; null from the CLI without --limit: the whole answer)'),
  principals: z.array(principalAccessSchema).describe('One page of principals, in answer order'),
};

const answerWarnings = z.array(z.string()).describe('For the whole answer, not only this page');

export const whoCanSchema = named(
  'WhoCanResult',
  z.object({
    safe: safeRefSchema,
    permission: z.string(),
    permission_display_name: z.string(),
    ...principalPageFields,
    warnings: answerWarnings,
  }),
  'GET /safes/{safe}/access?permission=…: who holds the permission (same JSON as arkgraph who-can --json)',
);

export const safeAccessSchema = named(
  'SafeAccessResult',
  z.object({
    safe: safeRefSchema,
    ...principalPageFields,
    warnings: answerWarnings,
  }),
  'GET /safes/{safe}/access without permission: every principal with any permission on the safe',
);

export const userAccessSchema = named(
  'UserAccessResult',
  z.object({
    user: principalSummarySchema,
    safes: z.array(
      z.object({
        safe: safeRefSchema,
        permissions: z.array(z.string()),
        paths: z.array(grantPathSchema),
        path_count: z.number().int(),
        via_dynamic_role: z.boolean(),
      }),
    ),
    roles: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        role_type: z.string().nullable(),
        how: z.enum(['direct', 'implicit', 'inherited']),
        path: grantPathSchema,
      }),
    ),
    applications: z.array(
      z.object({
        application: appRefSchema,
        grants: z.array(z.string()),
        paths: z.array(grantPathSchema),
        path_count: z.number().int(),
      }),
    ),
  }),
  'Same JSON as arkgraph access --json',
);

export const pathsSchema = named(
  'PathsResult',
  z.object({
    from: principalSummarySchema,
    safe: safeRefSchema,
    max_depth: z.number().int(),
    paths: z.array(z.object({ path: grantPathSchema, permissions: z.array(z.string()), expired: z.boolean() })),
    truncated: z.boolean(),
  }),
  'Same JSON as arkgraph paths --json',
);

export const accountAccessSchema = named(
  'AccountAccessResult',
  z.object({
    account: z.object({
      id: z.string(),
      native_id: z.string(),
      name: z.string(),
      safe_name: z.string(),
      address: z.string().nullable(),
      user_name: z.string().nullable(),
      platform_id: z.string().nullable(),
    }),
    safe: safeRefSchema,
    ...principalPageFields,
  }),
  'Same JSON as arkgraph account-access --json',
);

export const assetListSchema = named(
  'AssetList',
  z.object({
    type: z.enum(['safes', 'users', 'groups', 'roles', 'applications', 'accounts']),
    total: z.number().int().describe('Matching objects in all'),
    offset: z.number().int(),
    limit: z.number().int(),
    items: z.array(
      z
        .looseObject({ id: z.string(), native_id: z.string(), tenant_id: z.string(), name: z.string() })
        .describe('Identity columns, then the node properties of docs/schema.md'),
    ),
  }),
);

export const syncRunSchema = named(
  'SyncRun',
  z.object({
    id: z.string(),
    status: z.enum(['running', 'completed', 'partial', 'failed']),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    sources: z.array(z.string()),
    partialSources: z.array(z.string()),
    counts: z.record(z.string(), z.record(z.string(), z.number())),
    durationsMs: z.record(z.string(), z.number()),
    errors: z.array(z.object({ source: z.string(), endpoint: z.string().optional(), message: z.string() })),
  }),
  'Same JSON as arkgraph sync --json',
);

export const syncRunsSchema = named(
  'SyncRunList',
  z.object({
    running: z.string().nullable().describe('Id of the sync running now, if any'),
    runs: z.array(syncRunSchema),
  }),
);

export const syncStartedSchema = named(
  'SyncStarted',
  z.object({ id: z.string(), status: z.literal('running'), location: z.string() }),
);

export const sourceCheckSchema = named(
  'SourceTestResult',
  z.object({
    ok: z.boolean(),
    sources: z.record(
      z.string(),
      z.object({
        ok: z.boolean(),
        checks: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
      }),
    ),
  }),
);

export const problemSchema = named(
  'Problem',
  z.looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    request_id: z.string().optional(),
    suggestions: z
      .array(z.string())
      .optional()
      .describe('404: close names or ids; 400 unknown-permission: the nearest permissions'),
    validPermissions: z
      .array(z.object({ key: z.string(), displayName: z.string() }))
      .optional()
      .describe('400 unknown-permission: the 22 permissions'),
    candidates: z.array(z.string()).optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    running_id: z.string().optional(),
  }),
  'RFC 9457 problem details (application/problem+json)',
);

const identityRefShape = { kind: nodeKind, id: z.string(), name: z.string() };
const identityRef = z.looseObject(identityRefShape);

export const correlationReportSchema = named(
  'CorrelationReport',
  z.looseObject({
    summary: z.looseObject({
      directories: z.number().int(),
      matched_users: z.number().int(),
      matched_groups: z.number().int(),
      ambiguous: z.number().int(),
      directory_identities_without_cyberark: z.number().int(),
      cyberark_orphan_users: z.number().int(),
      cyberark_orphan_groups: z.number().int(),
      disabled_with_access: z.number().int(),
      entra_guests: z.number().int(),
    }),
    directories: z.array(
      z.looseObject({
        kind: z.enum(['EntraTenant', 'ADDomain']),
        id: z.string(),
        name: z.string(),
        matched: z.array(
          z.looseObject({
            directory: identityRef,
            cyberark: identityRef,
            rule: z.string().nullable(),
            key: z.string().nullable(),
            enabled: z.boolean().nullable(),
          }),
        ),
        ambiguous: z.array(
          z.looseObject({
            directory: identityRef,
            rule: z.string().nullable(),
            key: z.string().nullable(),
            candidates: z.array(identityRef),
          }),
        ),
        without_cyberark: z.array(z.looseObject({ ...identityRefShape, enabled: z.boolean().nullable() })),
        not_correlated: z.array(identityRef),
        disabled_with_access: z.array(
          z.looseObject({
            directory: identityRef,
            cyberark: identityRef,
            safes: z.array(z.looseObject({ safe: identityRef, permissions: z.array(z.string()) })),
          }),
        ),
        guests: z.array(z.looseObject({ ...identityRefShape, matched: z.boolean() })),
      }),
    ),
    cyberark_orphans: z.looseObject({
      users: z.array(
        z.looseObject({
          ...identityRefShape,
          directory_service_type: z.string().nullable(),
          idp_unique_id: z.string().nullable(),
        }),
      ),
      groups: z.array(
        z.looseObject({
          ...identityRefShape,
          directory_service_type: z.string().nullable(),
          idp_unique_id: z.string().nullable(),
        }),
      ),
      directories_not_synced: z.array(z.string()),
    }),
  }),
  'Identity correlation (same JSON as arkgraph report correlation)',
);

export const healthSchema = z.object({ status: z.literal('ok') });
export const readySchema = z.object({
  status: z.enum(['ready']),
  store: z.enum(['memory', 'neo4j']),
  has_data: z.boolean(),
});

// ------------------------------------------------------------------------------------------------- parameters

/** A name or id given in the path: any non-empty text up to 400 characters. */
export const nameParam = z.string().min(1).max(400);

/** An integer query parameter (documented as an integer; "12", not "1e1" or "0x0c"). */
export function intQuery(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,10}$/, 'expected a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

export const searchQuery = z.string().max(200).optional().describe('Case-insensitive substring of the name');
