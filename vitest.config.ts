import { defineConfig } from 'vitest/config';

/** Tests that need an external server (Neo4j, slapd) that .ci/run starts; everything else is "unit". */
const integration = [
  'test/neo4j/**/*.test.ts',
  'test/support/**/*.test.ts',
  'test/ldap/**/*.test.ts',
  'test/conformance/**/*.test.ts',
  'test/api/ldap-*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // 2-core machines: real servers (Neo4j, slapd, simulators) in tests compete for CPU.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: integration } },
      // One file at a time: the Neo4j tests share one database (NEO4J_URI in CI).
      { extends: true, test: { name: 'integration', include: integration, fileParallelism: false } },
    ],
  },
});
