/**
 * The arkgraph CLI. Its contract (commands, options, --json shapes, exit codes) is public: docs/cli.md.
 * Exit codes: 0 success, 2 usage or validation error, 3 a source failed, 4 store error.
 * The commands that mirror an API route (list, export access-review, sources test) call the code that route calls.
 */
import { Argument, Command, CommanderError, Option } from 'commander';
import { type ArkgraphConfig, loadConfig } from '../config/config.js';
import { ENV_VARS } from '../config/env-vars.js';
import { createLogger, type Logger } from '../log.js';
import { QueryEngine } from '../queries/engine.js';
import { ASSET_TYPES, type AssetType, type PageRequest } from '../queries/types.js';
import { openStore } from '../store/open.js';
import type { GraphStore } from '../store/types.js';
import { syncConfigFrom } from '../sync/config.js';
import { runSync } from '../sync/run.js';
import type { ExportOptions } from './access-review.js';
import type { ListOptions } from './assets.js';
import { EXIT, exitCodeFor, UsageError } from './errors.js';
import { progressReporter } from './progress.js';
import { renderAccountAccess, renderPaths, renderRuns, renderUserAccess, renderWhoCan } from './render.js';
import { registerServeCommand } from './serve.js';
import type { SimulateOptions } from './simulate.js';

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Where streamed answers (`export access-review` without --out) write their bytes; default process.stdout. */
  stdout?: NodeJS.WritableStream;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/** The exit code of a command that answered but did not succeed (`sources test` with a failed check). */
interface Outcome {
  exitCode: number;
}

function envHelp(): string {
  return `\nEnvironment (wins over the config file; secrets only from the environment or files):\n${ENV_VARS.map(
    (v) => `  ${v.name.padEnd(28)} ${v.doc}`,
  ).join('\n')}\n\nExit codes: 0 success, 2 usage or validation error, 3 a source failed, 4 store error.\n`;
}

interface GlobalOpts {
  config?: string;
  store?: 'memory' | 'neo4j';
  dataDir?: string;
  logLevel?: string;
}

async function configFrom(cmd: Command): Promise<ArkgraphConfig> {
  const g = cmd.optsWithGlobals<GlobalOpts>();
  const config = await loadConfig(g.config ? { configFile: g.config } : {});
  if (g.store) config.store = g.store;
  if (g.dataDir) config.dataDir = g.dataDir;
  return config;
}

async function withStore<T>(cmd: Command, fn: (store: GraphStore, config: ArkgraphConfig) => Promise<T>): Promise<T> {
  const config = await configFrom(cmd);
  const store = await openStore(config);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

/** The query commands ask the one query engine, over whichever store is configured. */
function withQueries<T>(cmd: Command, fn: (queries: QueryEngine) => Promise<T>): Promise<T> {
  return withStore(cmd, (store) => fn(new QueryEngine(store)));
}

interface PageOptions {
  limit?: string;
  offset?: string;
}

/** --limit / --offset as a page of principals; neither: the whole answer. */
function pageFrom(opts: PageOptions): PageRequest | undefined {
  const int = (flag: string, value: string, min: number) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new UsageError(`${flag} must be an integer of at least ${min}, got "${value}"`);
    }
    return n;
  };
  if (opts.limit === undefined) {
    if (opts.offset !== undefined) throw new UsageError('--offset needs --limit (the page size)');
    return undefined;
  }
  return {
    offset: opts.offset === undefined ? 0 : int('--offset', opts.offset, 0),
    limit: int('--limit', opts.limit, 1),
  };
}

function print(io: Io, json: boolean | undefined, value: unknown, human: () => string) {
  io.out(json ? JSON.stringify(value, null, 2) : human());
}

export function buildProgram(io: Io = defaultIo, outcome: Outcome = { exitCode: EXIT.ok }): Command {
  const program = new Command()
    .name('arkgraph')
    .description('CyberArk access-graph analyzer: who can retrieve the passwords in safe X, and why.')
    .version('0.1.0')
    .option('-c, --config <file>', 'config file (default ./arkgraph.config.json when present)')
    .addOption(new Option('--store <store>', 'graph store').choices(['memory', 'neo4j']))
    .option('--data-dir <dir>', 'embedded store location (default ./.arkgraph)')
    .option('--log-level <level>', 'error, warn, info, debug')
    .addHelpText('after', envHelp())
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  program
    .command('sync')
    .description('Extract every configured source, rebuild the graph and effective permissions')
    .option('--allow-partial', 'when a source fails, load the others and keep the failed one’s last good data')
    .option('--json', 'print the sync run as JSON')
    .action(async (opts: { allowPartial?: boolean; json?: boolean }, cmd: Command) => {
      const config = await configFrom(cmd);
      const logger = createLogger(cmd.optsWithGlobals<GlobalOpts>().logLevel);
      const store = await openStore(config);
      const progress = progressReporter(process.stderr, logger);
      try {
        const run = await runSync(store, syncConfigFrom(config, opts), {
          progress: progress.listener,
          // A failure is the command's own message on stderr (with exit 3): logged as a warning too, so that
          // --log-level error shows it once, not once as a JSON line and again as text.
          log: (level, message, fields) => logger[level === 'error' ? 'warn' : level](fields ?? {}, message),
        });
        progress.done();
        print(io, opts.json, run, () => syncSummary(run));
      } finally {
        progress.done();
        await store.close();
      }
    });

  program
    .command('who-can')
    .description('Who holds a permission on a safe, with the path that explains each principal')
    .argument('<permission>', 'API key (retrieveAccounts) or display name ("Retrieve Accounts"), any case')
    .requiredOption('--safe <name>', 'safe name (any case)')
    .option('--limit <n>', 'at most n principals (a page; default: all of them)')
    .option('--offset <n>', 'skip the first n principals (with --limit)')
    .option('--json', 'JSON output')
    .action(async (permission: string, opts: { safe: string; json?: boolean } & PageOptions, cmd: Command) => {
      const page = pageFrom(opts);
      await withQueries(cmd, async (queries) => {
        const r = await queries.whoCan(permission, opts.safe, page);
        print(io, opts.json, r, () => renderWhoCan(r));
      });
    });

  program
    .command('access')
    .description('What a user can reach: safes with permissions and paths, roles, applications')
    .requiredOption('--user <login>', 'login name (any case)')
    .option('--json', 'JSON output')
    .action(async (opts: { user: string; json?: boolean }, cmd: Command) => {
      await withQueries(cmd, async (queries) => {
        const r = await queries.userAccess(opts.user);
        print(io, opts.json, r, () => renderUserAccess(r));
      });
    });

  program
    .command('paths')
    .description('Every path (up to a depth) by which a user reaches a safe, including expired memberships')
    .requiredOption('--from <login>', 'login name')
    .requiredOption('--safe <name>', 'safe name')
    .option('--max-depth <n>', 'maximum hops (1-12)', '8')
    .option('--json', 'JSON output')
    .action(async (opts: { from: string; safe: string; maxDepth: string; json?: boolean }, cmd: Command) => {
      const depth = Number(opts.maxDepth);
      if (!Number.isInteger(depth)) throw new UsageError(`--max-depth must be an integer, got "${opts.maxDepth}"`);
      await withQueries(cmd, async (queries) => {
        const r = await queries.paths(opts.from, opts.safe, depth);
        print(io, opts.json, r, () => renderPaths(r));
      });
    });

  program
    .command('account-access')
    .description('Who can do what with an account (through its safe)')
    .requiredOption('--account <name|id>', 'account name or id')
    .option('--limit <n>', 'at most n principals (a page; default: all of them)')
    .option('--offset <n>', 'skip the first n principals (with --limit)')
    .option('--json', 'JSON output')
    .action(async (opts: { account: string; json?: boolean } & PageOptions, cmd: Command) => {
      const page = pageFrom(opts);
      await withQueries(cmd, async (queries) => {
        const r = await queries.accountAccess(opts.account, page);
        print(io, opts.json, r, () => renderAccountAccess(r));
      });
    });

  program
    .command('report')
    .description('Reports; "report correlation": directory ↔ CyberArk identity correlation')
    .argument('<name>', 'correlation')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'))
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (name: string, opts: { format: 'json' | 'csv'; out?: string }, cmd: Command) => {
      if (name !== 'correlation') throw new UsageError(`unknown report "${name}"; available: correlation`);
      const { correlationReportCommand } = await import('./report.js');
      await withQueries(cmd, (queries) => correlationReportCommand(queries, opts, io));
    });

  program
    .command('list')
    .description('A page of an asset list, ordered by name (GET /api/v1/<kind>)')
    .addArgument(new Argument('<kind>', 'what to list').choices(ASSET_TYPES))
    .option('--offset <n>', 'skip the first n items (default 0)')
    .option('--limit <n>', 'page size, 1-500 (default 100)')
    .option('--search <text>', 'case-insensitive substring of the name')
    .option('--json', 'JSON output')
    .action(async (kind: AssetType, opts: ListOptions, cmd: Command) => {
      const { listCommand } = await import('./assets.js');
      await withQueries(cmd, (queries) => listCommand(queries, kind, opts, io));
    });

  program
    .command('export')
    .description('Exports; "export access-review": one row per (principal, resource, grant path), CSV or JSON')
    .argument('<name>', 'access-review')
    .requiredOption('--scope <scope>', 'safe:<name>, role:<name>, user:<login> or all')
    .option('--format <format>', 'csv or json (default json)')
    .option('--inactive-days <n>', 'threshold of the no_login_90d flag, 1-3650 (default 90)')
    .option('--out <file>', 'write to a file (and print a summary) instead of stdout')
    .action(async (name: string, opts: ExportOptions, cmd: Command) => {
      if (name !== 'access-review') throw new UsageError(`unknown export "${name}"; available: access-review`);
      const { exportAccessReviewCommand } = await import('./access-review.js');
      await withQueries(cmd, (queries) => exportAccessReviewCommand(queries, opts, io));
    });

  program
    .command('sources')
    .description('Sources; "sources test": a token and one cheap read per right of each source, nothing synced')
    .argument('<action>', 'test')
    .option('--json', 'JSON output (the answer of POST /api/v1/sources/test)')
    .action(async (action: string, opts: { json?: boolean }, cmd: Command) => {
      if (action !== 'test') throw new UsageError(`unknown sources action "${action}"; available: test`);
      const { sourcesTestCommand } = await import('./sources.js');
      outcome.exitCode = await sourcesTestCommand(await configFrom(cmd), opts, io);
    });

  program
    .command('runs')
    .description('Recent sync runs: status, counts, durations, errors')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'JSON output')
    .action(async (opts: { limit: string; json?: boolean }, cmd: Command) => {
      await withStore(cmd, async (store) => {
        const runs = await store.syncRuns(Number(opts.limit) || 20);
        print(io, opts.json, runs, () => (runs.length ? renderRuns(runs) : 'no sync runs yet'));
      });
    });

  program
    .command('simulate')
    .description('Serve a CyberArk tenant (Identity + Privilege Cloud APIs) on 127.0.0.1 for tests and demos')
    .option('--tenant <file>', 'tenant file (docs/tenant-format.md)')
    .addOption(new Option('--generate <scale>', 'generate a tenant').choices(['small', 'medium', 'large']))
    .option('--seed <n>', 'generator seed', '1')
    .option('--port <port>', 'Identity port (Privilege Cloud uses the next one); default: free ports')
    .option('--token-ttl <seconds>', 'access token lifetime', '900')
    .option('--write-tenant <file>', 'also write the (generated) tenant file here')
    .action(async (opts: SimulateOptions) => {
      const { simulateCommand } = await import('./simulate.js');
      await simulateCommand(opts, io);
    });

  program
    .command('demo')
    .description('Simulator + full sync over real HTTP into a temporary embedded store + a who-can answer with paths')
    .addOption(new Option('--scale <scale>', 'tenant size').choices(['small', 'medium']).default('small'))
    .option('--seed <n>', 'generator seed', '1')
    .option('--once', 'exit after the answer instead of serving the simulator until Ctrl-C')
    .action(async (opts: { scale: 'small' | 'medium'; seed: string; once?: boolean }, cmd: Command) => {
      const { demoCommand } = await import('./demo.js');
      await demoCommand(opts, io, createLogger(cmd.optsWithGlobals<GlobalOpts>().logLevel ?? 'warn'));
    });

  registerServeCommand(program, io);
  return program;
}

function syncSummary(run: import('../sync/types.js').SyncRunRecord): string {
  const lines = [`sync ${run.id}: ${run.status}`];
  for (const [source, counts] of Object.entries(run.counts)) {
    lines.push(
      `  ${source}: ${Object.entries(counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}`,
    );
  }
  lines.push(
    `  durations: ${Object.entries(run.durationsMs)
      .map(([k, ms]) => `${k} ${ms} ms`)
      .join(', ')}`,
  );
  if (run.partialSources.length) lines.push(`  partial (kept last good data): ${run.partialSources.join(', ')}`);
  for (const e of run.errors) lines.push(`  error: ${e.source}${e.endpoint ? ` ${e.endpoint}` : ''}: ${e.message}`);
  return lines.join('\n');
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const outcome: Outcome = { exitCode: EXIT.ok };
  const program = buildProgram(io, outcome);
  try {
    await program.parseAsync(argv);
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.err(`arkgraph: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodeFor(error);
  }
}

export type { Logger };
