/** The slapd test harness itself: start and stop by PID, failures, cleanup on process exit, availability in CI. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, InsufficientAccessError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { activeDirectoryLdif } from '../../src/tenant/ldif.js';
import { slapdAvailability, startSlapd } from '../support/slapd.js';
import { fixtureSection } from './fixture.js';

const availability = slapdAvailability();
const section = fixtureSection();
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const options = {
  ldif: activeDirectoryLdif(section),
  baseDn: section.baseDn,
  bindDn: section.bindDn,
  bindPassword: section.bindPassword,
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pid: number, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !alive(pid);
}

/** slapd processes whose config file is gone: servers a harness failed to stop. */
function orphanSlapds(): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const conf = argv[argv.indexOf('-f') + 1];
    if (argv[0]?.endsWith('slapd') && conf?.includes('arkgraph-slapd-') && !fs.existsSync(conf))
      out.push(Number(entry));
  }
  return out;
}

function runNode(code: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(!availability.available)('slapd harness', () => {
  it('starts on 127.0.0.1, denies anonymous reads like AD, stops by PID and removes its directory', async () => {
    const server = await startSlapd(options);
    expect(server.url).toMatch(/^ldap:\/\/127\.0\.0\.1:\d+$/);
    expect(alive(server.pid)).toBe(true);
    expect(fs.existsSync(server.dir)).toBe(true);
    const anonymous = new Client({ url: server.url });
    await expect(anonymous.search(section.baseDn, { filter: '(objectClass=*)' })).rejects.toBeInstanceOf(
      InsufficientAccessError,
    );
    await anonymous.unbind();
    await server.stop();
    expect(alive(server.pid)).toBe(false);
    expect(fs.existsSync(server.dir)).toBe(false);
    await server.stop(); // idempotent
  });

  it('an LDIF that slapd refuses fails with ldapadd’s message and leaves nothing running', async () => {
    const bad = `${options.ldif}\ndn: CN=Broken,OU=Users,DC=corp,DC=example\nobjectClass: noSuchClass\ncn: Broken\n`;
    const error = (await startSlapd({ ...options, ldif: bad }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^ldapadd failed \(\d+\): ldap_add: /);
    expect(error.message).toContain('[last step: adding new entry "CN=Broken,OU=Users,DC=corp,DC=example"]');
    expect(orphanSlapds()).toEqual([]);
  });

  it("a configuration slapd refuses fails with slapd's own message", async () => {
    const error = (await startSlapd({ ...options, baseDn: 'not a DN' }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^slapd exited \(code 1, signal null\) before answering; its output:\n/);
    expect(error.message).toMatch(/suffix/i);
    expect(orphanSlapds()).toEqual([]);
  });

  it('a bind account the LDIF does not create fails clearly', async () => {
    await expect(startSlapd({ ...options, bindPassword: 'not-the-password' })).rejects.toThrow(
      `the LDIF was loaded but ${section.bindDn} cannot bind with the given password`,
    );
  });

  it('a slapd still running when the test process exits is killed', async () => {
    const code = `
      import { startSlapd } from './test/support/slapd.ts';
      const s = await startSlapd(${JSON.stringify(options)});
      console.log(JSON.stringify({ pid: s.pid, dir: s.dir }));
      process.exit(0);
    `;
    const result = await runNode(code, {});
    expect(result.code, result.stderr).toBe(0);
    const { pid, dir } = JSON.parse(result.stdout.trim().split('\n').pop()!) as { pid: number; dir: string };
    expect(await waitGone(pid)).toBe(true);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('slapd availability', () => {
  it('in CI a missing slapd is an error, not a skip', async () => {
    const code = `
      import { slapdAvailability } from './test/support/slapd.ts';
      try { slapdAvailability(); console.log('no error'); } catch (e) { console.log('ERROR ' + e.message); }
    `;
    const ci = await runNode(code, { CI: 'true', SLAPD_BIN: '/nonexistent/slapd' });
    expect(ci.stdout).toContain('ERROR slapd tests need /nonexistent/slapd (package slapd)');
    expect(ci.stdout).toContain('apt-get install -y slapd ldap-utils');
    expect(ci.stdout).toContain('required because CI or REQUIRE_SLAPD=1 is set');
    const local = await runNode(code, { CI: '', REQUIRE_SLAPD: '', SLAPD_BIN: '/nonexistent/slapd' });
    expect(local.stdout).toContain('no error');
    expect(local.stderr).toContain('skipping: slapd tests need /nonexistent/slapd');
  });
});
