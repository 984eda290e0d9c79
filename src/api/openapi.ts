/**
 * OpenAPI 3.1 document settings for @fastify/swagger, and the post-processing of the generated document: named
 * components from `apiRegistry`, problem responses as `application/problem+json`, CSV alternatives for the routes
 * that can answer in CSV, and no unused components. registerDocs serves it, with Swagger UI, at /docs.
 */
import fastifySwagger, { type SwaggerOptions } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { API_PREFIX } from './routes/shared.js';
import { apiRegistry } from './schemas.js';

export const API_VERSION = '1.0.0';

/** Routes (OpenAPI paths) that also answer text/csv. */
export const CSV_ROUTES = [`${API_PREFIX}/exports/access-review`, `${API_PREFIX}/reports/correlation`];

const transformObject = createJsonSchemaTransformObject({ schemaRegistry: apiRegistry });

type Json = Record<string, unknown>;

function refsIn(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
        out.add(v.slice('#/components/schemas/'.length));
      } else refsIn(v, out);
    }
  }
}

const RESPONSE_DESCRIPTIONS: Record<string, string> = {
  '200': 'OK',
  '202': 'Accepted: the sync runs in the background',
  '400': 'Bad request: invalid or unknown parameter, unknown permission (validPermissions), ambiguous name',
  '401': 'No valid bearer token (WWW-Authenticate: Bearer)',
  '403': 'The token’s role does not allow this route',
  '404': 'Unknown name or id (suggestions lists close matches)',
  '409': 'A sync is already running (running_id), or no source is configured',
  '413': 'Body too large',
  '414': 'URL too long',
  '429': 'Rate limit exceeded (Retry-After)',
  '503': 'The store is unreachable, unreadable, or holds no graph yet',
};

function postProcess(doc: Json): Json {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  for (const [route, methods] of Object.entries(paths)) {
    for (const op of Object.values(methods)) {
      // Bodies are optional where declared (POST /sync, POST /sources/test take none).
      if (op.requestBody) (op.requestBody as Json).required = false;
      const responses = (op.responses ?? {}) as Record<string, Json>;
      for (const [status, response] of Object.entries(responses)) {
        if (response.description === 'Default Response' && RESPONSE_DESCRIPTIONS[status]) {
          response.description = RESPONSE_DESCRIPTIONS[status];
        }
        const content = response.content as Record<string, Json> | undefined;
        if (!content) continue;
        if (Number(status) >= 400 && content['application/json']) {
          content['application/problem+json'] = content['application/json'];
          delete content['application/json'];
        }
        if (status === '200' && CSV_ROUTES.includes(route)) {
          content['text/csv'] = {
            schema: { type: 'string', description: 'UTF-8 CSV with a byte-order mark, CRLF, RFC 4180 quoting' },
          };
        }
      }
    }
  }
  // Drop components nothing refers to (zod emits an input twin of every registered schema).
  const components = (doc.components ?? {}) as Json;
  const schemas = (components.schemas ?? {}) as Record<string, unknown>;
  const used = new Set<string>();
  refsIn(doc.paths, used);
  let grew = true;
  while (grew) {
    const before = used.size;
    for (const name of [...used]) refsIn(schemas[name], used);
    grew = used.size > before;
  }
  components.schemas = Object.fromEntries(
    Object.keys(schemas)
      .filter((n) => used.has(n))
      .sort()
      .map((n) => {
        // A fragment-only $id is not valid JSON Schema 2020-12, and $schema is implied by OpenAPI 3.1.
        const { $id: _id, $schema: _schema, ...schema } = schemas[n] as Json;
        return [n, schema];
      }),
  );
  return doc;
}

export function swaggerOptions(): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'arkgraph API',
        version: API_VERSION,
        description:
          'Who can retrieve the passwords in safe X, and why: access queries, asset views, access-review exports and sync control over the arkgraph access graph. Every route except /health needs a bearer token (docs/api.md). Errors are RFC 9457 problem details.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/', description: 'this server' }],
      tags: [
        { name: 'queries', description: 'Access questions (role reader)' },
        { name: 'assets', description: 'Paged, searchable asset views (role reader)' },
        { name: 'reviews', description: 'Exports and reports (role reviewer)' },
        { name: 'sync', description: 'Sync runs (reader) and sync control (admin)' },
        { name: 'operations', description: 'Health and readiness' },
      ],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An API token (ARKGRAPH_API_TOKENS or ARKGRAPH_API_TOKENS_FILE) with role reader, reviewer or admin',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: createJsonSchemaTransform({ schemaRegistry: apiRegistry }),
    transformObject: (input) => postProcess(transformObject(input) as Json) as ReturnType<typeof transformObject>,
  };
}

/**
 * The OpenAPI document (collected from the routes registered after this) and Swagger UI, served from local files at
 * /docs. Its routes need a reader token unless buildApi's publicDocs is set (auth-hook.ts).
 */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, swaggerOptions());
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    staticCSP: false,
    uiConfig: { deepLinking: false, persistAuthorization: false, validatorUrl: null },
  });
}
