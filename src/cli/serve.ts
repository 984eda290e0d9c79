/**
 * `arkgraph serve`: the HTTP API (src/api, docs/api.md). Registered on the program by registerServeCommand; the API
 * modules (Fastify, Swagger UI …) are only loaded when the command runs.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config/config.js';
import { isLoopbackHost } from '../http/index.js';
import { createLogger } from '../log.js';
import { openStore } from '../store/open.js';

export interface ServeIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface ServeHooks {
  /** Environment for the API tokens (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Stops the server (default: SIGINT or SIGTERM). */
  signal?: AbortSignal;
  /** Called with the base URL once the server listens. */
  onListening?: (url: string) => void;
}

export interface ServeOptions {
  host: string;
  port: number;
  syncEvery?: string;
  syncCron?: string;
  /** With a schedule: sync once at start too (default; --no-sync-at-start turns it off). */
  syncAtStart?: boolean;
  insecureNoAuth?: boolean;
  publicDocs?: boolean;
  inactiveDays: number;
  rateLimit: number;
}

interface GlobalOpts {
  config?: string;
  store?: 'memory' | 'neo4j';
  dataDir?: string;
  logLevel?: string;
}

function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

const DURATION = /^\d+\s*(s|m|h|d)$/i;

export const SERVE_HELP = `
Authentication (docs/api.md):
  ARKGRAPH_API_TOKENS        [name=]role:token entries (role reader, reviewer or admin), separated by commas
                             or spaces; hashed (SHA-256) at start
  ARKGRAPH_API_TOKENS_FILE   JSON array (or JSON lines) of {"name", "role", "sha256"}: sha256 = hex SHA-256 of
                             the token (printf %s "$TOKEN" | sha256sum)
Every route except /health needs a token. Docs: http://HOST:PORT/docs (OpenAPI JSON at /docs/json).
`;

function waitForStop(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (signal?.aborted) return resolve();
    signal?.addEventListener('abort', stop);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function serveCommand(
  opts: ServeOptions,
  globals: GlobalOpts,
  io: ServeIo,
  hooks: ServeHooks = {},
): Promise<void> {
  if (opts.syncEvery !== undefined && opts.syncCron !== undefined) {
    throw new ConfigError('give either --sync-every or --sync-cron, not both');
  }
  if (opts.insecureNoAuth && !isLoopbackHost(opts.host)) {
    throw new ConfigError(
      `--insecure-no-auth only binds to a loopback address (127.0.0.1, ::1, localhost), not "${opts.host}"`,
    );
  }
  const [{ buildApi }, { loadApiTokens }, sync] = await Promise.all([
    import('../api/server.js'),
    import('../api/auth.js'),
    import('../api/sync-control.js'),
  ]);
  try {
    if (opts.syncEvery !== undefined) {
      const ms = sync.parseDuration(opts.syncEvery);
      if (ms < sync.MIN_SYNC_INTERVAL_MS) throw new RangeError('--sync-every must be at least 10s');
    }
    if (opts.syncCron !== undefined) sync.checkCron(opts.syncCron);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const tokens = opts.insecureNoAuth ? [] : await loadApiTokens(hooks.env ?? process.env);
  if (!opts.insecureNoAuth && tokens.length === 0) {
    throw new ConfigError(
      'no API token is configured: set ARKGRAPH_API_TOKENS or ARKGRAPH_API_TOKENS_FILE (see arkgraph serve --help), or run with --insecure-no-auth on a loopback address',
    );
  }

  const config = await loadConfig(globals.config ? { configFile: globals.config } : {});
  if (globals.store) config.store = globals.store;
  if (globals.dataDir) config.dataDir = globals.dataDir;
  const logger = createLogger(globals.logLevel);
  const store = await openStore(config);
  let app: Awaited<ReturnType<typeof buildApi>> | undefined;
  try {
    app = await buildApi({
      store,
      config,
      tokens,
      logger,
      insecureNoAuth: opts.insecureNoAuth === true,
      publicDocs: opts.publicDocs === true,
      inactiveDays: opts.inactiveDays,
      rateLimit: { max: opts.rateLimit, timeWindowMs: 60_000 },
      ...(opts.syncEvery !== undefined
        ? { schedule: { every: opts.syncEvery, atStart: opts.syncAtStart !== false } }
        : {}),
      ...(opts.syncCron !== undefined
        ? { schedule: { cron: opts.syncCron, atStart: opts.syncAtStart !== false } }
        : {}),
    });
    await app.listen({ host: opts.host, port: opts.port });
    const address = app.server.address();
    const port = address && typeof address === 'object' ? address.port : opts.port;
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    const url = `http://${host}:${port}`;
    io.err(`arkgraph API listening on ${url} (docs: ${url}/docs); Ctrl-C stops it`);
    hooks.onListening?.(url);
    await waitForStop(hooks.signal);
  } finally {
    if (app) {
      // Graceful: requests in flight (a long export) get 10 s to finish, then their connections are cut.
      const server = app.server;
      const force = setTimeout(() => server.closeAllConnections(), 10_000);
      force.unref();
      await app.close();
      clearTimeout(force);
    }
    await store.close();
  }
}

/** Adds `arkgraph serve` to the program. */
export function registerServeCommand(program: Command, io: ServeIo, hooks: ServeHooks = {}): Command {
  return program
    .command('serve')
    .description('Serve the HTTP API (queries, asset views, exports, sync control) with scheduled syncs')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port (0: a free one)', intOption('--port', 0, 65535), 8080)
    .option('--sync-every <duration>', 'sync on an interval, e.g. 15m (s, m, h, d; at least 10s)', (v: string) => {
      if (!DURATION.test(v.trim())) throw new InvalidArgumentError('use e.g. 90s, 15m, 2h or 1d');
      return v.trim();
    })
    .option('--sync-cron <expr>', 'sync on a cron schedule, e.g. "0 * * * *"')
    .option('--no-sync-at-start', 'with a schedule: wait for its first tick instead of syncing at start')
    .option('--insecure-no-auth', 'no authentication (every caller is an admin); loopback addresses only')
    .option('--public-docs', 'serve /docs (Swagger UI, OpenAPI JSON) without a token')
    .option(
      '--inactive-days <n>',
      'default threshold of the no_login_90d export flag',
      intOption('--inactive-days', 1, 3650),
      90,
    )
    .option('--rate-limit <n>', 'requests per minute per token', intOption('--rate-limit', 1, 1_000_000), 600)
    .addHelpText('after', SERVE_HELP)
    .action(async (opts: ServeOptions, cmd: Command) => {
      await serveCommand(opts, cmd.optsWithGlobals<GlobalOpts>(), io, hooks);
    });
}
