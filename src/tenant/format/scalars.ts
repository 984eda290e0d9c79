/** Field types that several sections of the tenant document share. */
import { z } from 'zod';
import { SAFE_PERMISSION_KEYS, type SafePermissionKey } from '../../graph/permissions.js';

export const isoDate = z.iso.datetime({ offset: true });
export const permissionKey = z.enum(SAFE_PERMISSION_KEYS as [SafePermissionKey, ...SafePermissionKey[]]);
export const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected a GUID');
