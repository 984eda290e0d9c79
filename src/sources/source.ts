/**
 * The contract every source implements, so that the sync, the connection test, the demo and the benchmarks can treat
 * them alike: read the settings from the configuration, extract, transform, check. One object per source folder
 * (`<name>/index.ts`); src/sources/index.ts lists them.
 */
import type { ArkgraphConfig } from '../config/config.js';
import type { EdgeKind, NodeKind, SourceName } from '../graph/schema.js';
import type { HttpClientOptions } from '../http/index.js';
import type { SourceOutput } from './output.js';

/** Progress events, for progress bars on a TTY and structured logs otherwise. */
export type ProgressEvent =
  | { type: 'phase'; source: string; phase: string }
  | { type: 'progress'; source: string; phase: string; done: number; total?: number };

export type ProgressListener = (event: ProgressEvent) => void;

/** Something kept for the whole sync (or connection test) and closed once at its end. */
export interface Closable {
  close?: () => Promise<void> | void;
}

/** What a source gets besides its own settings when it extracts or checks. */
export interface SourceContext {
  http: Partial<HttpClientOptions>;
  /** Identity Redrock page size override (sync.pageSize). */
  pageSize?: number;
  progress?: ProgressListener;
  now: () => number;
  /**
   * The settings of every source taking part, by configKey: a source that signs in with another's credentials reads
   * them here (Privilege Cloud on ISPSS uses the Identity platform token).
   */
  settings: Readonly<Record<string, unknown>>;
  /**
   * One object per key for the whole sync, shared between sources (e.g. the CyberArk platform token that Identity and
   * Privilege Cloud both use); closed once by the runner when the sync ends.
   */
  shared<T extends Closable>(key: string, make: () => T): T;
}

/** One step of a connection test: a token, a logon, a bind or one cheap read. */
export interface SourceCheck {
  name: string;
  ok: boolean;
  error?: string;
}

export interface SourceCheckResult {
  ok: boolean;
  checks: SourceCheck[];
}

/** The outputs of the sources a transform depends on, by source name. */
export type SourceInputs = Partial<Record<SourceName, SourceOutput>>;

export interface SyncSource<Settings = unknown, Raw = unknown, Key extends string = string, Connection = unknown> {
  /** The name in run records, node `source` fields, logs and errors. */
  readonly name: SourceName;
  /** 'CyberArk Identity': for logs, docs and the test-connection answer. */
  readonly title: string;
  /** The key of this source's settings in SyncConfig (e.g. 'privilegeCloud'). */
  readonly configKey: Key;
  /** This source's settings from the application configuration, or undefined when it is not configured. */
  configured(config: ArkgraphConfig): Settings | undefined;
  /** Sources whose transformed output this one's transform needs (Privilege Cloud needs Identity to resolve members). */
  readonly dependsOn: readonly SourceName[];
  /** The run error when a source in dependsOn did not load (default: "not loaded: needs the <name> data"). */
  readonly dependencyMissing?: string;
  /** Node and edge kinds this source writes (docs, and a test that no two sources own the same node kind). */
  readonly owns: { readonly nodes: readonly NodeKind[]; readonly edges: readonly EdgeKind[] };
  /**
   * Builds the source's clients and auth from its settings, without any I/O (shared ones through ctx.shared). The
   * sync connects every source before it reads any, so settings no client accepts (a URL that is not https) stop the
   * sync at once instead of failing one source after the others were read. Optional: without it, extract builds
   * its own clients (and bad settings fail that source alone).
   */
  connect?(settings: Settings, ctx: SourceContext): Connection;
  /** Reads everything (paging, retries) over the connection (undefined without connect). */
  extract(settings: Settings, ctx: SourceContext, connection: Connection): Promise<Raw>;
  /** Pure: raw rows → nodes and edges. `inputs` holds the outputs of dependsOn. */
  transform(raw: Raw, inputs: SourceInputs, ctx: { readonly now: number }): SourceOutput;
  /** "Test connection": one cheap read per right the sync needs; nothing synced or written. */
  check(settings: Settings, ctx: SourceContext): Promise<SourceCheckResult>;
}
