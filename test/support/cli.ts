/**
 * Running the CLI in tests: a config file pointing at a simulator, main() in process with its output captured, and
 * the CLI as its own process (for what a user sees on stderr, logs included).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../src/cli/main.js';
import type { Simulator } from '../../src/simulator/index.js';

/**
 * Writes `secret` (the tenant's first OAuth client's secret) and `arkgraph.config.json` signing in as that client to
 * both of the simulator's APIs, with the store in `dir/data`; `extra` adds top-level settings. Returns the config path.
 */
export async function writeSimulatorConfig(dir: string, sim: Simulator, extra: Record<string, unknown> = {}) {
  const client = sim.tenant.identity.oauthClients[0]!;
  await writeFile(path.join(dir, 'secret'), `${client.clientSecret}\n`, { mode: 0o600 });
  const configFile = path.join(dir, 'arkgraph.config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      identity: { url: sim.identityUrl, clientId: client.clientId, clientSecretFile: 'secret' },
      privilegeCloud: { url: sim.pcloudUrl },
      dataDir: 'data',
      ...extra,
    }),
  );
  return configFile;
}

/** main() with `--config <file> --log-level silent` and the arguments; its exit code and what it printed. */
export function runCli(configFile: string, ...args: string[]) {
  return runMain('--config', configFile, '--log-level', 'silent', ...args);
}

/** main() with these arguments only (after `arkgraph`); its exit code and what it printed. */
export async function runMain(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'arkgraph', ...args], {
    out: (t) => {
      stdout += `${t}\n`;
    },
    err: (t) => {
      stderr += `${t}\n`;
    },
  });
  return { code, stdout, stderr };
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The CLI as its own process (test/support/cli-process.ts) with exactly this environment; exit code and output. */
export async function runCliProcess(args: readonly string[], env: NodeJS.ProcessEnv) {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/support/cli-process.ts', ...args], {
    cwd: ROOT,
    env,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
