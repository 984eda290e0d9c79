/**
 * Configuration strictness (issue 15, items 10 and 12): unknown keys are errors naming the key and the nearest valid
 * one; a correlation rule naming a property no node has is refused, naming the rule; a variable arkgraph reads set to
 * an empty value is refused (an empty ARKGRAPH_PCLOUD_URL gave a "completed" sync without safes), and so is an
 * ARKGRAPH_ variable arkgraph does not know.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'arkgraph-config-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const IDENTITY = {
  ARKGRAPH_IDENTITY_URL: 'https://abc1234.id.cyberark.cloud',
  ARKGRAPH_CLIENT_ID: 'reader@acme',
  ARKGRAPH_CLIENT_SECRET: 'a-secret-value',
};

async function withFile(doc: unknown, env: NodeJS.ProcessEnv = IDENTITY) {
  await writeFile(path.join(dir, 'arkgraph.config.json'), JSON.stringify(doc));
  return loadConfig({ cwd: dir, env });
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(ConfigError);
  return (e as Error).message;
}

describe('config file', () => {
  it('an unknown key names the key, where it is and the nearest valid key', async () => {
    const message = await refusal(withFile({ identity: { clientSecertFile: 'x' } }));
    expect(message).toContain('identity: unknown key "clientSecertFile"; did you mean "clientSecretFile"?');
    const top = await refusal(withFile({ dataDri: 'x' }));
    expect(top).toContain('unknown key "dataDri"; did you mean "dataDir"?');
    const deep = await refusal(withFile({ privilegeCloud: { pas: { usrname: 'x' } } }));
    expect(deep).toContain('privilegeCloud.pas: unknown key "usrname"; did you mean "username"?');
  });

  it('a correlation rule misspelling a key or naming a property no node has is refused, naming the rule', async () => {
    const rule = {
      name: 'mail to email',
      directory: 'entra',
      kind: 'user',
      directoryProperty: 'mial',
      cyberarkProperty: 'email',
    };
    const property = await refusal(withFile({ correlation: { rules: [rule] } }));
    expect(property).toMatch(
      /correlation\.rules\[0\] \("mail to email"\): directoryProperty "mial" is not a property of EntraUser; did you mean "mail"\?/,
    );
    const key = await refusal(
      withFile({ correlation: { rules: [{ ...rule, directoryProperty: 'mail', compar: 'exact' }] } }),
    );
    expect(key).toContain('correlation.rules[0]: unknown key "compar"; did you mean "compare"?');
    const good = await withFile({ correlation: { rules: [{ ...rule, directoryProperty: 'mail' }] } });
    expect(good.correlationRules).toHaveLength(1);
  });
});

describe('environment', () => {
  it('an empty URL is refused, not taken as unset; other empty variables are unset', async () => {
    const message = await refusal(loadConfig({ cwd: dir, env: { ...IDENTITY, ARKGRAPH_PCLOUD_URL: '' } }));
    expect(message).toContain('ARKGRAPH_PCLOUD_URL is set but empty');
    expect(await refusal(loadConfig({ cwd: dir, env: { ...IDENTITY, ARKGRAPH_IDENTITY_URL: '  ' } }))).toContain(
      'ARKGRAPH_IDENTITY_URL is set but empty',
    );
    expect(await refusal(loadConfig({ cwd: dir, env: { ...IDENTITY, NEO4J_URI: '' } }))).toContain(
      'NEO4J_URI is set but empty',
    );
    const blank = await loadConfig({
      cwd: dir,
      env: { ...IDENTITY, ARKGRAPH_OAUTH_APP_ID: '', ARKGRAPH_LOG_LEVEL: '' },
    });
    expect(blank.identity?.oauthAppId).toBeUndefined();
  });

  it('an ARKGRAPH_ variable arkgraph does not read is refused with the nearest one', async () => {
    const message = await refusal(loadConfig({ cwd: dir, env: { ...IDENTITY, ARKGRAPH_PCLOUD_ULR: 'https://x' } }));
    expect(message).toContain(
      'ARKGRAPH_PCLOUD_ULR is not a variable arkgraph reads; did you mean "ARKGRAPH_PCLOUD_URL"?',
    );
    // Other programs' variables are none of arkgraph's business.
    const ok = await loadConfig({ cwd: dir, env: { ...IDENTITY, HOME: '/root', PATH: '', NODE_OPTIONS: '' } });
    expect(ok.identity?.url).toBe(IDENTITY.ARKGRAPH_IDENTITY_URL);
  });
});
