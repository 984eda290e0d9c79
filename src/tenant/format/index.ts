/**
 * The tenant file format: one JSON document describing a whole CyberArk estate (Identity + Privilege Cloud, and
 * room for Entra ID and Active Directory). The simulators serve it, the generator writes it, and the oracle tests
 * compute expected answers from it. docs/tenant-format.md documents every field.
 */
export {
  type ActiveDirectorySection,
  type ADGroup,
  type ADUser,
  activeDirectorySectionSchema,
  adGroupSchema,
  adUserSchema,
  type EntraGroup,
  type EntraSection,
  type EntraUser,
  entraGroupSchema,
  entraSectionSchema,
  entraUserSchema,
} from './directory-schema.js';
export {
  type Application,
  aclEntrySchema,
  adminRightSchema,
  applicationSchema,
  type DirectoryService,
  directoryServiceSchema,
  type IdentityGroup,
  type IdentityRole,
  type IdentityUser,
  identityGroupSchema,
  identityRoleSchema,
  identitySectionSchema,
  identityUserSchema,
  oauthClientSchema,
  roleMemberSchema,
} from './identity-schema.js';
export { loadTenantFile, parseTenant, TenantValidationError } from './parse.js';
export {
  type Account,
  accountSchema,
  pasLoginSchema,
  privilegeCloudSectionSchema,
  type Safe,
  type SafeMember,
  safeMemberSchema,
  safeSchema,
  type VaultGroup,
  type VaultUser,
  vaultGroupSchema,
  vaultUserSchema,
} from './privilege-cloud-schema.js';
export { referenceProblems } from './references.js';
export {
  TENANT_FORMAT_VERSION,
  type Tenant,
  type TenantInput,
  tenantSchema,
  tenantShapeSchema,
} from './tenant-schema.js';
