/**
 * `arkgraph sources test`: the connectivity test of POST /api/v1/sources/test (src/api/source-test.ts testSources,
 * the checks of each source in src/sources/<name>/check.ts): a token and one cheap read per right, nothing synced.
 * The answer is printed (--json: the API's JSON); the exit code says whether every check passed.
 */
import { type SourceTestResult, testSources } from '../api/source-test.js';
import type { ArkgraphConfig } from '../config/config.js';
import { EXIT, UsageError } from './errors.js';

/** Runs the test, prints it and returns the exit code: 0 every check passed, 3 a source failed. */
export async function sourcesTestCommand(
  config: ArkgraphConfig,
  opts: { json?: boolean },
  io: { out: (t: string) => void },
): Promise<number> {
  const result = await testSources(config);
  if (Object.keys(result.sources).length === 0) {
    throw new UsageError(
      'no source is configured (ARKGRAPH_IDENTITY_URL, ARKGRAPH_CLIENT_ID, ARKGRAPH_CLIENT_SECRET, or the config file)',
    );
  }
  io.out(opts.json ? JSON.stringify(result, null, 2) : renderSourceTest(result));
  return result.ok ? EXIT.ok : EXIT.source;
}

export function renderSourceTest(result: SourceTestResult): string {
  const lines: string[] = [];
  for (const [name, source] of Object.entries(result.sources)) {
    lines.push(`${name}: ${source.ok ? 'ok' : 'FAILED'}`);
    for (const c of source.checks) {
      // A check after a failed one is not run (src/sources/checks.ts): shown as skipped, not as another failure.
      const skipped = !c.ok && c.error?.startsWith('skipped') === true;
      const status = c.ok ? 'ok' : skipped ? 'skip' : 'FAILED';
      lines.push(`  ${status.padEnd(6)}  ${c.name}${c.error && !skipped ? `: ${c.error}` : ''}`);
    }
  }
  lines.push(result.ok ? 'every check passed' : 'some checks failed: see above');
  return lines.join('\n');
}
