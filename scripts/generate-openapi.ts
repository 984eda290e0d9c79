/**
 * Writes docs/openapi.json from the API's route schemas. With --check, exits 1 when the file differs from what the
 * code generates (CI runs it so the published document never drifts).
 *   node --import tsx scripts/generate-openapi.ts [--check]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../src/api/spec.js';

const target = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
const text = `${JSON.stringify(await openApiDocument(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== text) {
    process.stderr.write('docs/openapi.json is out of date: run npm run openapi:generate\n');
    process.exit(1);
  }
  process.stdout.write('docs/openapi.json is up to date\n');
} else {
  await writeFile(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
