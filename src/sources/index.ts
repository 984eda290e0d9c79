/**
 * The registry: every source the sync reads, in the order runs list them. Adding a source is one folder with an
 * index.ts exporting its SyncSource (see README.md) and one line here.
 */
import type { SourceName } from '../graph/schema.js';
import { activeDirectorySource } from './activedirectory/index.js';
import { entraSource } from './entra/index.js';
import { identitySource } from './identity/index.js';
import { privilegeCloudSource } from './privilegecloud/index.js';
import type { SyncSource } from './source.js';

export const SOURCES = [identitySource, privilegeCloudSource, entraSource, activeDirectorySource] as const;

type Registered = (typeof SOURCES)[number];

/** Each registered source's settings under its configKey (identity, privilegeCloud, entra, activeDirectory). */
export type SourceSettings = {
  [S in Registered as S['configKey']]?: NonNullable<ReturnType<S['configured']>>;
};

/** The registered source of that name. */
export function sourceByName(name: SourceName): SyncSource {
  const source = SOURCES.find((s) => s.name === name);
  if (!source) throw new Error(`no source named ${name}`);
  return source;
}
