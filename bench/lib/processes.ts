/** Child processes of the rig: the simulator process, and one benchmark step per fresh process (clean peak RSS). */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Scale } from '../../src/tenant/generate/index.js';

export interface SimulatorProcess {
  identityUrl: string;
  pcloudUrl: string;
  clientId: string;
  clientSecret: string;
  counters(): Promise<{ total: number; byRoute: Record<string, number> }>;
  reset(): Promise<void>;
  setLatency(ms: number): Promise<void>;
  close(): Promise<void>;
}

const SIM_CHILD = fileURLToPath(new URL('./sim-child.ts', import.meta.url));

/** Node flags for a child that runs TypeScript through tsx. */
export function tsxExecArgv(extra: string[] = []): string[] {
  return ['--import', 'tsx', ...extra];
}

/**
 * Ports for simulators whose data lands in a store that is synced again later: the Privilege Cloud tenant id is the
 * host and port, so a sync from another port would be another tenant (and leave duplicate safes behind).
 */
export const STORE_PORTS = { memory: [47011, 47012], neo4j: [47021, 47022] } as const;

export async function startSimulatorProcess(
  scale: Scale,
  seed: number,
  latencyMs = 0,
  ports?: readonly [number, number],
): Promise<SimulatorProcess> {
  const args = [scale, String(seed), String(latencyMs), ...(ports ? ports.map(String) : [])];
  const child = fork(SIM_CHILD, args, {
    execArgv: tsxExecArgv(['--max-old-space-size=6144']),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ identityUrl: string; pcloudUrl: string; clientId: string; clientSecret: string }>(
    (resolve, reject) => {
      child.once('message', (m: { type: string } & Record<string, string>) => {
        if (m.type === 'ready') resolve(m as never);
        else reject(new Error(`simulator process: unexpected message ${JSON.stringify(m)}`));
      });
      child.once('exit', (code) => reject(new Error(`simulator process exited with ${code} before it was ready`)));
    },
  );
  let next = 0;
  const call = <T>(type: string, extra: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      const onMessage = (m: { id?: number }) => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        resolve(m as T);
      };
      child.on('message', onMessage);
      child.send({ id, type, ...extra }, (error) => {
        if (error) reject(error);
      });
    });
  let closed: Promise<void> | undefined;
  return {
    ...ready,
    counters: () => call('counters'),
    reset: async () => {
      await call('reset');
    },
    setLatency: async (ms) => {
      await call('latency', { latencyMs: ms });
    },
    close: () => {
      closed ??= (async () => {
        if (child.exitCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        await Promise.race([call('close'), exited]);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      })();
      return closed;
    },
  };
}

/**
 * Runs `script` (a bench file) in a fresh Node process in worker mode and returns the JSON it sends back over IPC
 * (`sendResult`). Used wherever a figure is a peak memory: a fresh process has no heap left over from earlier steps.
 */
export async function runInChild<T>(script: string, args: string[], nodeFlags: string[] = []): Promise<T> {
  const child: ChildProcess = fork(script, ['--worker', ...args], {
    execArgv: tsxExecArgv(nodeFlags),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<T>((resolve, reject) => {
    let result: { ok: boolean; value?: T; error?: string } | undefined;
    child.on('message', (m: { type?: string; ok: boolean; value?: T; error?: string }) => {
      if (m.type === 'result') result = m;
    });
    child.once('exit', (code, signal) => {
      if (result?.ok) resolve(result.value as T);
      else
        reject(
          new Error(
            result?.error ??
              `${script} ${args.join(' ')} exited with ${code ?? signal} without a result (out of memory?)`,
          ),
        );
    });
  });
}

/** In worker mode: send the result to the parent and exit. */
export async function sendResult(fn: () => Promise<unknown>): Promise<void> {
  try {
    const value = await fn();
    await new Promise<void>((resolve) => process.send!({ type: 'result', ok: true, value }, () => resolve()));
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    await new Promise<void>((resolve) => process.send!({ type: 'result', ok: false, error: text }, () => resolve()));
  }
  process.exit(0);
}
