/**
 * Deterministic tenant generator: `generateTenant(scale, seed)` builds a whole synthetic CyberArk estate (Identity +
 * Privilege Cloud) in the tenant file format (../format/). The same (scale, seed) always gives the same tenant, byte
 * for byte once serialised; nothing reads the clock or Math.random — every date is the fixed GENERATOR_EPOCH minus a
 * seeded offset.
 *
 * Every tenant, even the smallest, contains the awkward things real tenants contain: three directory services (CDS,
 * AdProxy, FDS), DNs with RFC 4514 escapes, built-in roles (sysadmin, Everybody, a Script role, the Privilege Cloud
 * roles), role nesting exactly 6 deep and exactly one role cycle, Identity roles as safe members of memberType
 * "Group", predefined vault members on every safe, expired and future-dated memberships, names that need URL
 * encoding, application ACLs with the Execute and Automatic bits, failed CPM accounts. docs/tenant-format.md
 * describes the scales.
 */
export { AD_FOREST, GENERATOR_EPOCH } from './context.js';
export { PERMISSION_PRESETS } from './permissions.js';
export { MAX_ROLE_DEPTH } from './roles.js';
export { MIN_SCALE, SCALES, type Scale, type ScaleSpec } from './scale.js';
export { generateTenant } from './tenant.js';
