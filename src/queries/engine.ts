/**
 * The access queries, written once over the read primitives every store implements (GraphReader, reader.ts): who can
 * do what on a safe, a user's access, the paths between a user and a safe, account and application access, asset
 * lists and the correlation report. The CLI, the API and the benchmarks ask this one engine, whichever store holds
 * the graph; the conformance suite proves both stores answer identically.
 *
 * Each query first checks its input (an unknown permission is refused before the store is touched), then takes one
 * reader from the store and runs every read of the answer on it.
 */
import { parsePermission } from '../graph/permissions.js';
import type { CorrelationReport } from './correlation-report.js';
import type { ReadableGraph } from './reader.js';
import { ReaderQueries } from './reader-queries.js';
import type {
  AccountAccessResult,
  ApplicationAccessResult,
  AssetListResult,
  AssetQuery,
  PageRequest,
  PathsResult,
  SafeAccessResult,
  UserAccessResult,
  WhoCanResult,
} from './types.js';

export class QueryEngine {
  constructor(private readonly graph: ReadableGraph) {}

  private async onReader(): Promise<ReaderQueries> {
    return new ReaderQueries(await this.graph.reader());
  }

  /** Without `page`, every principal; with it, one page of them (PrincipalPage says which). */
  async whoCan(permission: string, safe: string, page?: PageRequest): Promise<WhoCanResult> {
    const key = parsePermission(permission);
    return (await this.onReader()).whoCan(key, safe, page);
  }

  /** Every principal with any permission on the safe (access reviews, exports). */
  async safeAccess(safe: string, page?: PageRequest): Promise<SafeAccessResult> {
    return (await this.onReader()).safeAccess(safe, page);
  }

  /** Every principal with access to the application, with the grant names as permissions. */
  async applicationAccess(application: string, page?: PageRequest): Promise<ApplicationAccessResult> {
    return (await this.onReader()).applicationAccess(application, page);
  }

  /** The principals with access to the safe that holds the account. */
  async accountAccess(account: string, page?: PageRequest): Promise<AccountAccessResult> {
    return (await this.onReader()).accountAccess(account, page);
  }

  /** A user's safes, roles and applications, each with the paths that explain it. */
  async userAccess(user: string): Promise<UserAccessResult> {
    return (await this.onReader()).userAccess(user);
  }

  /** Every grant path of at most `maxDepth` hops from a user to a safe. */
  async paths(from: string, safe: string, maxDepth?: number): Promise<PathsResult> {
    return (await this.onReader()).paths(from, safe, maxDepth);
  }

  /** The identity-correlation report (correlation-report.ts). */
  async correlationReport(): Promise<CorrelationReport> {
    return (await this.onReader()).correlationReport();
  }

  async listAssets(query: AssetQuery): Promise<AssetListResult> {
    return (await this.onReader()).listAssets(query);
  }
}
