/**
 * `arkgraph serve` in a child process (from source), on a free loopback port, with one token (a reader's unless told
 * otherwise: the export bench needs a reviewer) and no practical rate limit; stderr is watched for the "listening on"
 * line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Neo4jTarget } from './neo4j.js';
import { processCpuMs, processRssMiB } from './proc.js';

const CLI = fileURLToPath(new URL('./arkgraph-cli.ts', import.meta.url));

export interface ServeProcess {
  url: string;
  token: string;
  pid: number;
  /** Current RSS of the server process in MiB (from /proc). */
  rssMiB(): Promise<number>;
  /** CPU time the server process has used so far (user + system, all threads), in ms (from /proc; NaN elsewhere). */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

export async function startServe(
  store: { kind: 'memory'; dataDir: string } | { kind: 'neo4j'; target: Neo4jTarget },
  nodeFlags: string[] = [],
  role: 'reader' | 'reviewer' = 'reader',
): Promise<ServeProcess> {
  const token = randomBytes(24).toString('hex');
  const env: NodeJS.ProcessEnv = { ...process.env, ARKGRAPH_API_TOKENS: `bench=${role}:${token}` };
  const globals = ['--log-level', 'warn'];
  if (store.kind === 'memory') {
    globals.push('--store', 'memory', '--data-dir', store.dataDir);
  } else {
    globals.push('--store', 'neo4j');
    Object.assign(env, {
      NEO4J_URI: store.target.uri,
      NEO4J_USER: store.target.user,
      NEO4J_PASSWORD: store.target.password,
      NEO4J_DATABASE: store.target.database,
    });
  }
  const args = ['--import', 'tsx', ...nodeFlags, CLI, ...globals, 'serve', '--port', '0', '--rate-limit', '1000000'];
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`arkgraph serve did not start in 120 s:\n${stderr}`)), 120_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`arkgraph serve exited with ${code}:\n${stderr}`));
    });
  });
  const pid = child.pid!;
  return {
    url,
    token,
    pid,
    rssMiB: () => processRssMiB(pid),
    cpuMs: () => processCpuMs(pid),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
