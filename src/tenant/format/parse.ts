/** Reading a tenant document: validation with every problem reported at once, and loading a tenant file. */
import { readFile } from 'node:fs/promises';
import { jsonPath } from '../../graph/json-path.js';
import { referenceProblems } from './references.js';
import { type Tenant, tenantShapeSchema } from './tenant-schema.js';

export class TenantValidationError extends Error {
  constructor(
    readonly problems: { path: string; message: string }[],
    readonly file?: string,
  ) {
    super(
      `invalid tenant${file ? ` file ${file}` : ''}: ${problems.length} problem(s)\n${problems
        .slice(0, 50)
        .map((p) => `  ${p.path}: ${p.message}`)
        .join('\n')}${problems.length > 50 ? `\n  … and ${problems.length - 50} more` : ''}`,
    );
    this.name = 'TenantValidationError';
  }
}

/** Validates a parsed document; every problem is reported with its JSON path. */
export function parseTenant(doc: unknown, file?: string): Tenant {
  const shape = tenantShapeSchema.safeParse(doc);
  // References are checked on the parsed document (defaults applied) when the shape is valid, and on the raw one
  // otherwise, so that every problem is reported at once.
  const references = referenceProblems(shape.success ? shape.data : doc);
  const problems = [
    ...(shape.success ? [] : shape.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message }))),
    ...references.map((p) => ({ path: jsonPath(p.path), message: p.message })),
  ];
  if (problems.length > 0 || !shape.success) throw new TenantValidationError(problems, file);
  return shape.data;
}

export async function loadTenantFile(file: string): Promise<Tenant> {
  const text = await readFile(file, 'utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new TenantValidationError([{ path: '$', message: `not valid JSON: ${(error as Error).message}` }], file);
  }
  return parseTenant(doc, file);
}
