/**
 * Proof that the Neo4j test wiring works against a real server: constraint, UNWIND/MERGE write and read back,
 * auth enforced, batched clean-up. With CI=true or REQUIRE_NEO4J=1 a missing Neo4j fails this file instead of
 * skipping it.
 */
import neo4j, { type Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireNeo4j, clearDatabase, type Neo4jConnection, neo4jAvailability, neo4jRequired } from './neo4j.js';

const availability = await neo4jAvailability();
const LABEL = 'ArkgraphSupportTest';
const CONSTRAINT = 'arkgraph_support_test_id';

describe('neo4jAvailability', () => {
  it('never reports "unavailable" when Neo4j is required', () => {
    if (neo4jRequired()) expect(availability.available).toBe(true);
    else expect(typeof availability.reason).toBe('string');
  });
});

describe.skipIf(!availability.available)('Neo4j test support', () => {
  let db: Neo4jConnection;
  let driver: Driver;

  beforeAll(async () => {
    db = await acquireNeo4j();
    driver = neo4j.driver(db.uri, neo4j.auth.basic(db.user, db.password));
    await clearDatabase(driver, { database: db.database, label: LABEL });
  });

  afterAll(async () => {
    if (driver) {
      await clearDatabase(driver, { database: db.database, label: LABEL }).catch(() => {});
      await driver
        .executeQuery(`DROP CONSTRAINT ${CONSTRAINT} IF EXISTS`, {}, { database: db.database })
        .catch(() => {});
      await driver.close();
    }
    await db?.release();
  });

  it('runs a real Neo4j 5 server', async () => {
    const info = await driver.getServerInfo({ database: db.database });
    expect(info.agent).toMatch(/^Neo4j\/5\./);
  });

  it('creates a uniqueness constraint, MERGEs rows with UNWIND and reads them back', async () => {
    const { database } = db;
    await driver.executeQuery(
      `CREATE CONSTRAINT ${CONSTRAINT} IF NOT EXISTS FOR (n:${LABEL}) REQUIRE n.id IS UNIQUE`,
      {},
      { database },
    );
    const constraints = await driver.executeQuery(
      'SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties WHERE name = $name RETURN *',
      { name: CONSTRAINT },
      { database },
    );
    expect(constraints.records).toHaveLength(1);
    expect(constraints.records[0]?.get('type')).toBe('UNIQUENESS');
    expect(constraints.records[0]?.get('labelsOrTypes')).toEqual([LABEL]);

    const rows = Array.from({ length: 250 }, (_, i) => ({ id: `acct-${i}`, name: `Account ${i}`, n: neo4j.int(i) }));
    const merge = `UNWIND $rows AS row MERGE (a:${LABEL} {id: row.id}) SET a.name = row.name, a.n = row.n`;
    const first = await driver.executeQuery(merge, { rows }, { database });
    expect(first.summary.counters.updates().nodesCreated).toBe(250);
    // MERGE is idempotent: a second run creates nothing.
    const second = await driver.executeQuery(merge, { rows }, { database });
    expect(second.summary.counters.updates().nodesCreated).toBe(0);

    const read = await driver.executeQuery(
      `MATCH (a:${LABEL}) RETURN count(a) AS c, sum(a.n) AS total`,
      {},
      { database, routing: neo4j.routing.READ },
    );
    const record = read.records[0];
    expect(record?.get('c').toNumber()).toBe(250);
    expect(record?.get('total').toNumber()).toBe((249 * 250) / 2);

    const one = await driver.executeQuery(
      `MATCH (a:${LABEL} {id: $id}) RETURN a.name AS name`,
      { id: 'acct-42' },
      { database },
    );
    expect(one.records.map((r) => r.get('name'))).toEqual(['Account 42']);

    await expect(driver.executeQuery(`CREATE (:${LABEL} {id: 'acct-1'})`, {}, { database })).rejects.toMatchObject({
      code: 'Neo.ClientError.Schema.ConstraintValidationFailed',
    });
  });

  it('enforces authentication: a wrong password is rejected', async () => {
    const wrong = neo4j.driver(db.uri, neo4j.auth.basic(db.user, `${db.password}-wrong`));
    try {
      await expect(wrong.verifyConnectivity({ database: db.database })).rejects.toMatchObject({
        code: 'Neo.ClientError.Security.Unauthorized',
      });
    } finally {
      await wrong.close();
    }
  });

  it('clearDatabase deletes in bounded batches', async () => {
    const { database } = db;
    await driver.executeQuery(
      `UNWIND range(1, 2500) AS i CREATE (:${LABEL} {id: 'bulk-' + i})-[:LINKS]->(:${LABEL} {id: 'bulk-t-' + i})`,
      {},
      { database },
    );
    await clearDatabase(driver, { database, label: LABEL, batchSize: 1000 });
    const left = await driver.executeQuery(`MATCH (a:${LABEL}) RETURN count(a) AS c`, {}, { database });
    expect(left.records[0]?.get('c').toNumber()).toBe(0);
  });
});
