/**
 * POST /sources/test: for each configured source, obtain a token (or PAS logon, or LDAP bind) and make one cheap read
 * per right the sync needs, with the real extractor clients — nothing is synced or written. Each check reports ok or the
 * (secret-scrubbed) error; a check that depends on an earlier failed one is reported as skipped. The checks
 * themselves live with their sources (src/sources/<name>/check.ts).
 */
import type { ArkgraphConfig } from '../config/config.js';
import type { HttpClientOptions } from '../http/index.js';
import { SOURCES } from '../sources/index.js';
import { SharedObjects } from '../sources/shared.js';
import type { SourceCheckResult, SourceContext, SyncSource } from '../sources/source.js';

export type { SourceCheck } from '../sources/source.js';

export interface SourceTestResult {
  ok: boolean;
  sources: Record<string, SourceCheckResult>;
}

function testHttp(config: ArkgraphConfig): Partial<HttpClientOptions> {
  return { timeoutMs: Math.min(config.http.timeoutMs, 15_000), maxAttempts: 2, concurrency: 2 };
}

/** Tests every configured source; sources run in parallel. */
export async function testSources(config: ArkgraphConfig): Promise<SourceTestResult> {
  const configured = SOURCES.flatMap((source: SyncSource) => {
    const settings = source.configured(config);
    return settings === undefined ? [] : [{ source, settings }];
  });
  const shared = new SharedObjects();
  const ctx: SourceContext = {
    http: testHttp(config),
    now: Date.now,
    settings: Object.fromEntries(configured.map(({ source, settings }) => [source.configKey, settings])),
    shared: shared.get,
  };
  const sources: SourceTestResult['sources'] = {};
  try {
    await Promise.all(
      configured.map(async ({ source, settings }) => {
        sources[source.name] = await source.check(settings, ctx);
      }),
    );
  } finally {
    await shared.close();
  }
  const names = Object.keys(sources);
  return { ok: names.length > 0 && names.every((n) => sources[n]!.ok), sources };
}
