/**
 * Building and running the simulators' Fastify servers. Each simulated origin is one server with the same router
 * options, body parsers and fault-injection plugin; a simulator runs two of them (two origins, as in real life:
 * Identity + Privilege Cloud, or the Microsoft authority + Graph) that share one token store, one fault controller
 * and one set of counters, and listen and close together.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { RequestCounters } from './counters.js';
import { type FaultInjectionOptions, faultInjection } from './fault-injection.js';
import type { FaultController } from './fault-rules.js';
import type { TokenStore } from './tokens.js';

/** What the servers of one simulator share. */
export interface ServerContext {
  tokens: TokenStore;
  faults: FaultController;
  counters: RequestCounters;
}

/** Fastify router options of every simulator server: case-insensitive paths, trailing and duplicate slashes ignored. */
export const ROUTER_OPTIONS = {
  caseSensitive: false,
  ignoreTrailingSlash: true,
  ignoreDuplicateSlashes: true,
  // Percent-encoded safe names (28 characters, up to 6 bytes each when encoded) must fit in one path parameter.
  maxParamLength: 1000,
} as const;

function badRequest(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}

/**
 * JSON bodies may be empty (clients POST "{}" or nothing with Content-Type: application/json); form bodies are parsed
 * into a flat record; anything else is parsed as JSON when it looks like JSON, else ignored.
 */
export function installBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parseJson = (text: string): unknown => {
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    try {
      return JSON.parse(trimmed);
    } catch {
      throw badRequest('request body is not valid JSON');
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text.startsWith('{') || text.startsWith('[') || text.startsWith('"')) {
      try {
        done(null, parseJson(text));
      } catch (error) {
        done(error as Error, undefined);
      }
    } else done(null, text === '' ? undefined : text);
  });
}

/**
 * A simulator server without routes yet: router options, body parsers, then the fault-injection plugin, registered on
 * the root before any route so that its hooks reach every request (404s included). `api` says how the simulated API
 * words an injected error and which token an expireToken fault expires; `prepare` runs before the plugin, for hooks
 * the injected error bodies rely on (e.g. Graph request ids).
 */
export async function createServer(
  context: Pick<ServerContext, 'faults' | 'counters'>,
  api: Pick<FaultInjectionOptions, 'errorBody' | 'expireToken'>,
  prepare?: (app: FastifyInstance) => void,
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, routerOptions: ROUTER_OPTIONS, forceCloseConnections: true });
  installBodyParsers(app);
  prepare?.(app);
  await app.register(faultInjection, { controller: context.faults, counters: context.counters, ...api });
  return app;
}

/** Base URL of a listening server, e.g. http://127.0.0.1:41234 (IPv6 hosts in brackets). */
export function urlOf(app: FastifyInstance, host: string): string {
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('simulator server is not listening on TCP');
  const h = host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${address.port}`;
}

export interface PairMember {
  app: FastifyInstance;
  /** Default 0 (ephemeral). */
  port: number | undefined;
  /** Told the server's base URL as soon as it listens (before the other server starts listening). */
  onListening?: (url: string) => void;
}

export interface ListeningPair {
  /** Base URLs of the first and the second server. */
  urls: [string, string];
  /** Closes both servers; later calls return the same promise. */
  close(): Promise<void>;
}

/** Listens on the first server, then the second; if either fails, both are closed and the error is thrown. */
export async function listenPair(host: string, first: PairMember, second: PairMember): Promise<ListeningPair> {
  const closeBoth = () => Promise.all([first.app.close(), second.app.close()]);
  const urls: string[] = [];
  try {
    for (const server of [first, second]) {
      await server.app.listen({ host, port: server.port ?? 0 });
      const url = urlOf(server.app, host);
      urls.push(url);
      server.onListening?.(url);
    }
  } catch (error) {
    await Promise.allSettled([first.app.close(), second.app.close()]);
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    urls: [urls[0]!, urls[1]!],
    close: () => {
      closed ??= closeBoth().then(() => undefined);
      return closed;
    },
  };
}
