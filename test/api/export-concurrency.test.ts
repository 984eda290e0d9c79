/**
 * An access-review export does not hold the server (issue 15, item 2): while a whole-estate export streams over real
 * HTTP to a client in another process that reads as fast as it can, /health and a who-can request keep answering.
 * Before the fix the export never gave the event loop a turn while the socket accepted its bytes, so both waited for
 * its end. No timing threshold: the test only compares the order of events (answers received vs. the export's
 * response finished on the server).
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../../src/tenant/generate/index.js';
import { type ApiHarness, startApiHarness } from './helpers.js';

// Larger than small (about 13 MB of CSV, 200 chunks) so that the export spans many turns of the event loop.
const tenant = generateTenant(
  { users: 1000, groups: 40, roles: 15, safes: 50, memberships: 250, accounts: 60, applications: 5 },
  11,
);
let h: ApiHarness;
let base: string;

beforeAll(async () => {
  h = await startApiHarness({ tenant });
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await h?.close();
});

/** Reads the export in a child process (its own event loop, like a real client) and prints the byte count. */
const READER = `
const r = await fetch(process.env.EXPORT_URL, { headers: { authorization: 'Bearer ' + process.env.EXPORT_TOKEN } });
let n = 0;
for await (const c of r.body) n += c.byteLength;
process.stdout.write(JSON.stringify({ status: r.status, bytes: n }));
`;

function readInChild(url: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', READER], {
      env: { ...process.env, EXPORT_URL: url, EXPORT_TOKEN: h.tokens.reviewer },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`reader exited ${code}`))));
  });
}

describe('an export in progress', () => {
  for (const format of ['csv', 'json'] as const) {
    it(`${format}: /health and who-can keep answering before the export ends`, async () => {
      // The server's side of the export: when its request arrives and when its response has been written out.
      let started!: () => void;
      const exportStarted = new Promise<void>((r) => {
        started = r;
      });
      let exportFinished = false;
      const onRequest = (req: IncomingMessage, res: ServerResponse) => {
        if (!req.url?.startsWith('/api/v1/exports/')) return;
        started();
        res.on('finish', () => {
          exportFinished = true;
        });
      };
      h.app.server.on('request', onRequest);
      try {
        const reading = readInChild(`${base}/api/v1/exports/access-review?scope=all&format=${format}`);
        await exportStarted;
        const safe = tenant.privilegeCloud.safes.find((s) => s.members.length > 0)!.name;
        const answeredDuringExport = { health: 0, whoCan: 0 };
        while (!exportFinished) {
          const health = await fetch(`${base}/health`);
          expect(await health.json()).toEqual({ status: 'ok' });
          if (!exportFinished) answeredDuringExport.health++;
          const who = await fetch(`${base}/api/v1/safes/${encodeURIComponent(safe)}/access?permission=listAccounts`, {
            headers: h.auth('reader'),
          });
          expect(who.status).toBe(200);
          expect(((await who.json()) as { safe: { name: string } }).safe.name).toBe(safe);
          if (!exportFinished) answeredDuringExport.whoCan++;
        }
        const result = await reading;
        expect(result.status).toBe(200);
        expect(result.bytes).toBeGreaterThan(5_000_000);
        // More than one answer each: the server kept answering, not only once at the start.
        expect(answeredDuringExport.health).toBeGreaterThanOrEqual(2);
        expect(answeredDuringExport.whoCan).toBeGreaterThanOrEqual(2);
      } finally {
        h.app.server.off('request', onRequest);
      }
    });
  }
});
