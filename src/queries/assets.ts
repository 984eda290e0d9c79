import type { NodeKind, PropValue } from '../graph/schema.js';
import type { AssetType, GrantPath } from './types.js';

export const ASSET_KINDS: Record<AssetType, NodeKind> = {
  safes: 'Safe',
  users: 'CyberArkUser',
  groups: 'CyberArkGroup',
  roles: 'CyberArkRole',
  applications: 'CyberArkApplication',
  accounts: 'Account',
};

/** One row of an asset listing: identity columns first, then the node's own properties. */
export function assetItem(node: {
  id: string;
  nativeId: string;
  tenantId: string;
  name: string;
  props: Record<string, PropValue>;
}): Record<string, unknown> {
  return { id: node.id, native_id: node.nativeId, tenant_id: node.tenantId, name: node.name, ...node.props };
}

/** Total order of paths used by every store: shorter first, then by the names and ids along the path. */
export function pathsSortKey(path: GrantPath): string {
  const len = String(path.length).padStart(3, '0');
  return `${len}\u0001${path.map((s) => s.name.toLowerCase()).join('\u0000')}\u0001${path.map((s) => s.id).join('\u0000')}`;
}
