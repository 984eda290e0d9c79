/**
 * Active Directory over LDAP: the extract stage (docs/active-directory.md).
 *
 * Sequence: connect (ldaps://, or ldap:// + StartTLS, or plain ldap:// to a loopback host) → simple bind → paged
 * subtree search of users `(&(objectCategory=person)(objectClass=user))` → paged subtree search of groups
 * `(objectClass=group)` → for every entry whose `member` or `memberOf` came back ranged (`member;range=0-1499`),
 * base-scope searches for the following ranges → unbind (always). The reader (read.ts) checks every value; the
 * transform stage converts them. Errors are SourceErrors naming the LDAP operation (errors.ts); the bind password is
 * registered as a secret and never appears in a message.
 */
import { readFile } from 'node:fs/promises';
import type { ProgressListener } from '../source.js';
import { bind, createLdapClient, startTls } from './connection.js';
import { readDirectory } from './read.js';
import { type ActiveDirectoryRaw, SOURCE } from './schemas.js';
import { type ActiveDirectoryConfig, configError, resolveActiveDirectoryConfig } from './settings.js';

export interface ExtractActiveDirectoryOptions {
  progress?: ProgressListener;
}
/** Connects, binds, reads users and groups, and unbinds (always). */
export async function extractActiveDirectory(
  config: ActiveDirectoryConfig,
  options: ExtractActiveDirectoryOptions = {},
): Promise<ActiveDirectoryRaw> {
  const c = resolveActiveDirectoryConfig(config);
  const progress = options.progress;
  let ca: string | undefined;
  if (c.tlsCaFile) {
    try {
      ca = await readFile(c.tlsCaFile, 'utf8');
    } catch (e) {
      throw configError('tlsCaFile', `cannot read tlsCaFile ${c.tlsCaFile}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  }
  const client = createLdapClient(c, ca);
  try {
    if (c.startTls) {
      progress?.({ type: 'phase', source: SOURCE, phase: 'starttls' });
      await startTls(client, c, ca);
    }
    progress?.({ type: 'phase', source: SOURCE, phase: 'bind' });
    await bind(client, c);
    const read = await readDirectory(client, c, progress);
    return { domain: c.domain, baseDn: c.baseDn, url: c.url, ...read };
  } finally {
    await client.unbind().catch(() => {});
  }
}
