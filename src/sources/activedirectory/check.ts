/**
 * Active Directory's connection test: the settings, the CA file, StartTLS when configured, the bind, then one user
 * and one group searched for (more than one entry found is as good as one).
 */
import { readFile } from 'node:fs/promises';
import { SizeLimitExceededError } from 'ldapts';
import { Checks } from '../checks.js';
import type { SourceCheckResult, SourceContext } from '../source.js';
import { bind, createLdapClient, startTls } from './connection.js';
import { ldapSourceError } from './errors.js';
import { GROUP_FILTER, USER_FILTER } from './schemas.js';
import { type ActiveDirectoryConfig, resolveActiveDirectoryConfig } from './settings.js';

/** Timeouts follow the test's HTTP timeout (at most 15 s), the connect timeout at most 10 s. */
export async function checkActiveDirectory(cfg: ActiveDirectoryConfig, ctx: SourceContext): Promise<SourceCheckResult> {
  const timeoutMs = ctx.http.timeoutMs ?? 15_000;
  const checks = new Checks();
  const c = await checks.run('configuration', async () =>
    resolveActiveDirectoryConfig({ ...cfg, timeoutMs, connectTimeoutMs: Math.min(timeoutMs, 10_000) }),
  );
  if (!c) return checks.result();
  let ca: string | undefined;
  if (c.tlsCaFile) {
    ca = await checks.run('CA file', () => readFile(c.tlsCaFile!, 'utf8'));
    if (ca === undefined) return checks.result();
  }
  const client = createLdapClient(c, ca);
  const one = async (filter: string, label: string) => {
    try {
      await client.search(c.baseDn, { scope: 'sub', filter, attributes: ['distinguishedName'], sizeLimit: 1 });
    } catch (e) {
      if (e instanceof SizeLimitExceededError) return; // more than one entry: readable
      throw ldapSourceError(e, label, c.origin);
    }
  };
  try {
    if (c.startTls) await checks.run('starttls', () => startTls(client, c, ca));
    await checks.run(`bind ${c.bindDn}`, () => bind(client, c));
    await checks.run('search users (1 entry)', () => one(USER_FILTER, `search ${USER_FILTER} base ${c.baseDn}`));
    await checks.run('search groups (1 entry)', () => one(GROUP_FILTER, `search ${GROUP_FILTER} base ${c.baseDn}`));
  } finally {
    await client.unbind().catch(() => {});
  }
  return checks.result();
}
