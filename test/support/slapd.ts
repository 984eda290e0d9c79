/**
 * A real OpenLDAP slapd for tests (reference entra-ad.md §6): Debian's /usr/sbin/slapd as a child process on
 * 127.0.0.1 and a free port, with its own slapd.conf, schema and mdb database in a temporary directory — no
 * systemd, no container. The schema is tools/slapd/adlite.schema (AD attribute names and OIDs with matching rules,
 * binary objectGUID/objectSid); the memberof overlay maintains AD-style direct `memberOf`; `sizelimit` reproduces
 * AD's cap on unpaged searches (1000 by default) while paged searches return everything. The LDIF is loaded ONLINE
 * with `ldapadd` as the rootdn (so the overlay sees every change), then the bind account given in the options is
 * checked. Anonymous users can bind but read nothing (like AD). The server is stopped by PID: `stop()`, and on
 * process exit for any that are still running.
 *
 *   const availability = slapdAvailability();           // throws in CI (CI set) when slapd is missing
 *   describe.skipIf(!availability.available)('…', () => {
 *     let server: Slapd;
 *     beforeAll(async () => { server = await startSlapd({ ldif, baseDn, bindDn, bindPassword }); });
 *     afterAll(async () => { await server?.stop(); });
 *   });
 *
 * Install: `DEBIAN_FRONTEND=noninteractive apt-get install -y slapd ldap-utils` (plus `openssl` for `tls: true`).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'ldapts';

const SLAPD = process.env.SLAPD_BIN ?? '/usr/sbin/slapd';
const LDAPADD = process.env.LDAPADD_BIN ?? '/usr/bin/ldapadd';
const OPENSSL = '/usr/bin/openssl';
const MODULE_DIR = '/usr/lib/ldap';
const SCHEMA_DIR = '/etc/ldap/schema';
const ADLITE_SCHEMA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tools/slapd/adlite.schema');

export interface SlapdOptions {
  /** Entries to load (e.g. activeDirectoryLdif(section)); every DN must lie below `baseDn`. */
  ldif: string;
  /** The database suffix. */
  baseDn: string;
  /** A read-only account the LDIF creates; startSlapd checks that it can bind. */
  bindDn: string;
  bindPassword: string;
  /** Also listen on ldaps:// with a fresh self-signed certificate for 127.0.0.1 (needs openssl); StartTLS works too. */
  tls?: boolean;
  /** Entries an unpaged search returns, and the largest page size (AD: MaxPageSize 1000). Paged totals are unlimited. */
  sizeLimit?: number;
}

export interface Slapd {
  url: string;
  /** ldaps:// URL when started with `tls: true`. */
  ldapsUrl?: string;
  /** PEM of the self-signed certificate (the CA to trust) when started with `tls: true`. */
  caPem?: string;
  caFile?: string;
  pid: number;
  port: number;
  /** The rootdn (not subject to size limits or access control) and its password, for test set-up only. */
  rootDn: string;
  rootPassword: string;
  dir: string;
  /** Milliseconds from spawn to answering, and to the LDIF being loaded. */
  timings: { readyMs: number; loadedMs: number };
  /** SIGTERM by PID, wait for exit (SIGKILL after 5 s), remove the temporary directory. Idempotent. */
  stop(): Promise<void>;
}

export type SlapdAvailability = { available: true; reason: string } | { available: false; reason: string };

export class SlapdUnavailableError extends Error {
  override readonly name = 'SlapdUnavailableError';
}

/** True when a missing slapd must fail the run instead of skipping: CI (set, not '0'/'false') or REQUIRE_SLAPD=1. */
export function slapdRequired(): boolean {
  const ci = (process.env.CI ?? '').trim().toLowerCase();
  return (ci !== '' && ci !== '0' && ci !== 'false') || process.env.REQUIRE_SLAPD === '1';
}

function missingPieces(tls: boolean): string[] {
  const missing: string[] = [];
  const executable = (p: string) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (!executable(SLAPD)) missing.push(`${SLAPD} (package slapd)`);
  if (!executable(LDAPADD)) missing.push(`${LDAPADD} (package ldap-utils)`);
  for (const m of ['back_mdb.so', 'memberof.so']) {
    if (!fs.existsSync(path.join(MODULE_DIR, m))) missing.push(`${MODULE_DIR}/${m} (package slapd)`);
  }
  for (const s of ['core', 'cosine', 'inetorgperson']) {
    if (!fs.existsSync(path.join(SCHEMA_DIR, `${s}.schema`))) missing.push(`${SCHEMA_DIR}/${s}.schema (package slapd)`);
  }
  if (tls && !executable(OPENSSL)) missing.push(`${OPENSSL} (package openssl)`);
  return missing;
}

/**
 * Whether slapd and ldapadd are installed. In CI (or with REQUIRE_SLAPD=1) a missing piece throws
 * SlapdUnavailableError; otherwise the reason is printed and `{ available: false }` lets the suite skip.
 */
export function slapdAvailability(options: { tls?: boolean } = {}): SlapdAvailability {
  const missing = missingPieces(options.tls === true);
  if (missing.length === 0) return { available: true, reason: `${SLAPD} and ${LDAPADD} found` };
  const reason = `slapd tests need ${missing.join(', ')}: DEBIAN_FRONTEND=noninteractive apt-get install -y slapd ldap-utils${options.tls ? ' openssl' : ''}`;
  if (slapdRequired()) throw new SlapdUnavailableError(`${reason} (required because CI or REQUIRE_SLAPD=1 is set)`);
  console.warn(`skipping: ${reason}`);
  return { available: false, reason };
}

// ---------------------------------------------------------------------------------------------------------------
// Process bookkeeping: servers still running when the process exits are killed by PID.

const running = new Map<number, { child: ChildProcess; dir: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const [pid, { dir }] of running) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
    running.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(file: string, args: string[], timeoutMs = 30_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const lastStep = stdout.trim().split('\n').filter(Boolean).pop();
        reject(
          new Error(
            `${path.basename(file)} failed (${error.code ?? error.signal ?? error.message}): ${stderr.trim()}${lastStep ? ` [last step: ${lastStep}]` : ''}`,
          ),
        );
      } else resolve({ stdout, stderr });
    });
  });
}

function slapdConf(
  dir: string,
  o: Required<Pick<SlapdOptions, 'baseDn' | 'sizeLimit'>>,
  rootDn: string,
  rootPw: string,
  tls: boolean,
) {
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `# generated by test/support/slapd.ts
include ${SCHEMA_DIR}/core.schema
include ${SCHEMA_DIR}/cosine.schema
include ${SCHEMA_DIR}/inetorgperson.schema
include ${q(path.join(dir, 'adlite.schema'))}
pidfile ${q(path.join(dir, 'slapd.pid'))}
argsfile ${q(path.join(dir, 'slapd.args'))}
modulepath ${MODULE_DIR}
moduleload back_mdb
moduleload memberof
${tls ? `TLSCertificateFile ${q(path.join(dir, 'cert.pem'))}\nTLSCertificateKeyFile ${q(path.join(dir, 'key.pem'))}\n` : ''}
database mdb
suffix ${q(o.baseDn)}
rootdn ${q(rootDn)}
rootpw ${q(rootPw)}
directory ${q(path.join(dir, 'db'))}
maxsize 268435456
# throw-away database: no fsync per write
dbnosync
# AD-like: at most sizeLimit entries per unpaged search and per page, unlimited totals when paged.
sizelimit size.soft=${o.sizeLimit} size.hard=${o.sizeLimit} size.pr=${o.sizeLimit} size.prtotal=unlimited
index objectClass eq
index sAMAccountName,userPrincipalName eq
index member,memberOf eq
overlay memberof
memberof-group-oc group
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE
# Like AD: anonymous clients may bind but read nothing; bound users read everything except passwords.
access to dn.base="" by * read
access to dn.base="cn=Subschema" by * read
access to attrs=userPassword by anonymous auth by * none
access to * by users read by anonymous auth
`;
}

async function probe(url: string): Promise<boolean> {
  const client = new Client({ url, connectTimeout: 1000, timeout: 2000 });
  try {
    await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['namingContexts'] });
    return true;
  } catch {
    return false;
  } finally {
    await client.unbind().catch(() => {});
  }
}

async function checkBind(url: string, dn: string, password: string): Promise<void> {
  const client = new Client({ url, connectTimeout: 2000, timeout: 5000 });
  try {
    await client.bind(dn, password);
  } catch (e) {
    throw new Error(`the LDIF was loaded but ${dn} cannot bind with the given password: ${(e as Error).message}`);
  } finally {
    await client.unbind().catch(() => {});
  }
}

/** Starts slapd, loads the LDIF online and checks the bind account. Rejects with slapd's own output on failure. */
export async function startSlapd(options: SlapdOptions): Promise<Slapd> {
  const tls = options.tls === true;
  const missing = missingPieces(tls);
  if (missing.length > 0) throw new SlapdUnavailableError(`cannot start slapd: missing ${missing.join(', ')}`);
  installExitHook();
  const sizeLimit = options.sizeLimit ?? 1000;
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'arkgraph-slapd-'));
  const rootDn = `cn=arkgraph-test-root,${options.baseDn}`;
  const rootPassword = randomBytes(18).toString('base64url');
  const cleanupDir = () => fsp.rm(dir, { recursive: true, force: true });
  try {
    await fsp.mkdir(path.join(dir, 'db'));
    await fsp.copyFile(ADLITE_SCHEMA, path.join(dir, 'adlite.schema'));
    await fsp.writeFile(
      path.join(dir, 'slapd.conf'),
      slapdConf(dir, { baseDn: options.baseDn, sizeLimit }, rootDn, rootPassword, tls),
      { mode: 0o600 },
    );
    await fsp.writeFile(path.join(dir, 'rootpw'), rootPassword, { mode: 0o600 });
    await fsp.writeFile(path.join(dir, 'data.ldif'), options.ldif, { mode: 0o600 });
    let caPem: string | undefined;
    if (tls) {
      await run(OPENSSL, [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ]);
      caPem = await fsp.readFile(path.join(dir, 'cert.pem'), 'utf8');
    }

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const tlsPort = tls ? await freePort() : 0;
      const url = `ldap://127.0.0.1:${port}`;
      const ldapsUrl = tls ? `ldaps://127.0.0.1:${tlsPort}` : undefined;
      const listen = [`${url}/`, ...(ldapsUrl ? [`${ldapsUrl}/`] : [])].join(' ');
      const started = performance.now();
      // -d keeps slapd in the foreground (the child's PID is the server's); level 32768 ("none") logs only the
      // messages of no particular level: startup errors such as a bad config line or a port in use, no traffic.
      const child = spawn(SLAPD, ['-d', '32768', '-f', path.join(dir, 'slapd.conf'), '-h', listen], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      const keep = (chunk: Buffer) => {
        log = (log + chunk.toString('utf8')).slice(-16_384);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
      const exitPromise = new Promise<void>((resolve) => {
        child.once('exit', (code, signal) => {
          exited = { code, signal };
          running.delete(child.pid ?? -1);
          resolve();
        });
      });
      const spawnError = await new Promise<Error | null>((resolve) => {
        child.once('spawn', () => resolve(null));
        child.once('error', resolve);
      });
      if (spawnError || child.pid === undefined) throw new Error(`cannot run ${SLAPD}: ${spawnError?.message}`);
      const pid = child.pid;
      running.set(pid, { child, dir });

      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        if (!exited) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // already gone
          }
          const killer = setTimeout(() => {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }, 5000);
          await exitPromise;
          clearTimeout(killer);
        }
        running.delete(pid);
        await cleanupDir();
      };

      // Wait until it answers (or exits).
      const deadline = Date.now() + 15_000;
      let ready = false;
      while (!exited && Date.now() < deadline) {
        if (await probe(url)) {
          ready = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      if (!ready) {
        const why = exited as { code: number | null; signal: NodeJS.Signals | null } | null;
        if (!why) {
          stopped = false;
          await stop().catch(() => {});
          throw new Error(`slapd did not answer on ${url} within 15 s; its output:\n${log}`);
        }
        // A port taken between freePort() and slapd's bind(): try another one.
        if (/address already in use/i.test(log) && attempt < 5) continue;
        await cleanupDir();
        throw new Error(`slapd exited (code ${why.code}, signal ${why.signal}) before answering; its output:\n${log}`);
      }
      const readyMs = Math.round(performance.now() - started);

      try {
        await run(LDAPADD, [
          '-x',
          '-H',
          url,
          '-D',
          rootDn,
          '-y',
          path.join(dir, 'rootpw'),
          '-f',
          path.join(dir, 'data.ldif'),
        ]);
        await checkBind(url, options.bindDn, options.bindPassword);
      } catch (e) {
        await stop();
        throw e;
      }
      const loadedMs = Math.round(performance.now() - started);
      return {
        url,
        ...(ldapsUrl ? { ldapsUrl } : {}),
        ...(caPem ? { caPem, caFile: path.join(dir, 'cert.pem') } : {}),
        pid,
        port,
        rootDn,
        rootPassword,
        dir,
        timings: { readyMs, loadedMs },
        stop,
      };
    }
  } catch (e) {
    if (fs.existsSync(dir) && ![...running.values()].some((r) => r.dir === dir)) await cleanupDir();
    throw e;
  }
}
