/** Test helpers: tiny Fastify servers on 127.0.0.1:0 and a recording, instant sleep. */
import Fastify, { type FastifyInstance } from 'fastify';
import { SourceError } from '../../src/http/errors.js';

export interface TestServer {
  app: FastifyInstance;
  url: string;
  /** Every request received (method + url), in order. */
  received: string[];
  /** Requests received per route path (without query). */
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startServer(setup: (app: FastifyInstance) => void): Promise<TestServer> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const received: string[] = [];
  const counts = new Map<string, number>();
  app.addHook('onRequest', async (req) => {
    received.push(`${req.method} ${req.url}`);
    const path = req.url.split('?')[0] ?? '';
    counts.set(path, (counts.get(path) ?? 0) + 1);
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  setup(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    received,
    hits: (path) => counts.get(path) ?? 0,
    close: () => app.close(),
  };
}

/** An instant sleep that records the requested delays. */
export function fakeSleep(): { calls: number[]; sleep: (ms: number) => Promise<void> } {
  const calls: number[] = [];
  return {
    calls,
    sleep: async (ms: number) => {
      calls.push(ms);
    },
  };
}

/** Awaits a promise that must reject with a SourceError and returns it. */
export async function catchSourceError(p: Promise<unknown>): Promise<SourceError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SourceError) return e;
    throw new Error(`expected a SourceError, got ${String(e)}`);
  }
  throw new Error('expected the promise to reject');
}

/** Everything about an error that could end up in a log: message, stack, and the same for its cause chain. */
export function errorText(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur instanceof Error; i++) {
    parts.push(cur.message, cur.stack ?? '');
    if (cur instanceof SourceError) parts.push(cur.detail, cur.endpoint, cur.code ?? '', cur.field ?? '');
    cur = cur.cause;
  }
  return parts.join('\n');
}
