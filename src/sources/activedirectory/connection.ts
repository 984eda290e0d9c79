/** The LDAP connection: TLS options, the ldapts client, StartTLS and the simple bind, failures as SourceErrors. */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import { ldapSourceError } from './errors.js';
import type { ResolvedActiveDirectoryConfig } from './settings.js';

type ResolvedConfig = ResolvedActiveDirectoryConfig;

/** TLS for LDAPS and StartTLS: TLS 1.2+, the configured CA, SNI for host names. */
export function ldapTlsOptions(c: ResolvedConfig, ca: string | undefined): ConnectionOptions {
  return { minVersion: 'TLSv1.2', ...(ca ? { ca: [ca] } : {}), ...(isIP(c.host) ? {} : { servername: c.host }) };
}

/** An ldapts client for the resolved configuration. */
export function createLdapClient(c: ResolvedConfig, ca: string | undefined): Client {
  const tlsOptions = ldapTlsOptions(c, ca);
  return new Client({
    url: c.url,
    timeout: c.timeoutMs,
    connectTimeout: c.connectTimeoutMs,
    ...(c.secure ? { tlsOptions } : {}),
  });
}

/** Upgrades the connection with StartTLS (ldap:// + startTls). */
export async function startTls(client: Client, c: ResolvedConfig, ca: string | undefined): Promise<void> {
  try {
    await client.startTLS({ ...ldapTlsOptions(c, ca), host: c.host });
  } catch (e) {
    throw ldapSourceError(e, `starttls ${c.origin}`, c.origin);
  }
}

/** Simple bind with the configured DN and password. */
export async function bind(client: Client, c: ResolvedConfig): Promise<void> {
  try {
    await client.bind(c.bindDn, c.bindPassword);
  } catch (e) {
    throw ldapSourceError(e, `bind ${c.bindDn}`, c.origin);
  }
}
