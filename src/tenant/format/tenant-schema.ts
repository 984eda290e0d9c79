/**
 * The whole tenant document: its format version, its sections, and the schema that adds the cross-reference checks
 * of ./references.ts to the shape.
 */
import { z } from 'zod';
import { activeDirectorySectionSchema, entraSectionSchema } from './directory-schema.js';
import { identitySectionSchema } from './identity-schema.js';
import { privilegeCloudSectionSchema } from './privilege-cloud-schema.js';
import { referenceProblems } from './references.js';

export const TENANT_FORMAT_VERSION = 1;

/** The shape of a tenant document; cross-references are checked by referenceProblems(). */
export const tenantShapeSchema = z
  .object({
    formatVersion: z.literal(TENANT_FORMAT_VERSION),
    name: z.string().default('tenant'),
    identity: identitySectionSchema,
    privilegeCloud: privilegeCloudSectionSchema,
    entra: entraSectionSchema.optional(),
    activeDirectory: activeDirectorySectionSchema.optional(),
  })
  .strict();

export const tenantSchema = tenantShapeSchema.superRefine((t, ctx) => {
  for (const p of referenceProblems(t)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
});

export type Tenant = z.output<typeof tenantSchema>;
export type TenantInput = z.input<typeof tenantSchema>;
