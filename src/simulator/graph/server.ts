/**
 * The Microsoft Graph v1.0 server of the simulator (after the Graph v1.0 docs): users, groups, direct and
 * transitive group members, with `$select`, `$top`, opaque `$skiptoken` next links, bearer tokens from the authority
 * server, Graph error bodies, and the generic fault plugin. Read-only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cappedPageSize } from '../shared/fault-injection.js';
import { bearerToken, clientErrorStatus } from '../shared/http.js';
import { createServer, type ServerContext } from '../shared/server.js';
import {
  GraphError,
  graphErrorBody,
  installRequestIds,
  JSON_TYPE,
  nextLinkOf,
  type QueryOptions,
  readCount,
  readQueryOptions,
  readSelect,
  readTop,
  SkipTokens,
  sendGraphError,
} from './odata.js';
import {
  type GraphDirectory,
  type ObjectType,
  ODATA_TYPE,
  project,
  type Resource,
  USER_DEFAULT_PROPERTIES,
} from './resources.js';

export interface GraphServerOptions extends ServerContext {
  directory: GraphDirectory;
  /** Origin written into next links and @odata.context; undefined = the request's own origin. */
  linkOrigin: () => string | undefined;
}

/** Permissions that allow each kind of read (any one of them). */
const READ_USERS = ['User.Read.All', 'User.ReadWrite.All', 'User.ReadBasic.All', 'Directory.Read.All'];
const READ_GROUPS = ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All'];

const GRAPH_STATUS_CODES: Record<number, string> = {
  429: 'TooManyRequests',
  500: 'generalException',
  502: 'badGateway',
  503: 'serviceNotAvailable',
  504: 'gatewayTimeout',
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function buildGraphServer(opts: GraphServerOptions): Promise<FastifyInstance> {
  const { directory, tokens } = opts;
  const skipTokens = new SkipTokens();
  // Request ids are installed before the fault plugin: injected errors carry them.
  const app = await createServer(
    opts,
    {
      errorBody: (status, message, request) =>
        graphErrorBody(
          request,
          status,
          GRAPH_STATUS_CODES[status] ?? 'generalException',
          status === 429 ? 'Please retry again later.' : message,
        ),
      expireToken: (request) => tokens.expire(bearerToken(request)),
    },
    installRequestIds,
  );

  // Bearer check on every request (after the fault plugin, so an expireToken fault is seen here).
  app.addHook('onRequest', async (request, reply) => {
    const token = bearerToken(request);
    let message: string | undefined;
    if (!token) message = 'Access token is empty.';
    else {
      const check = tokens.check(token);
      if (check.status === 'expired') message = 'Lifetime validation failed, the token is expired.';
      else if (check.status !== 'valid' || check.record.kind !== 'app') {
        message = 'Invalid JWT token. The token is not valid for this resource.';
      } else request.graphRoles = (check.record.scope ?? '').split(' ').filter(Boolean);
    }
    if (message !== undefined) {
      reply.header(
        'www-authenticate',
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
      );
      return sendGraphError(reply, new GraphError(401, 'InvalidAuthenticationToken', message));
    }
  });
  app.decorateRequest('graphRoles', null as unknown as string[]);

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const segment = path.split('/').filter(Boolean).at(-1) ?? '';
    if (request.method !== 'GET') {
      return sendGraphError(
        reply,
        new GraphError(
          405,
          'Request_BadRequest',
          `The arkgraph Graph simulator is read-only: ${request.method} ${path}`,
        ),
      );
    }
    if (!/^\/v1\.0(\/|$)/i.test(path)) {
      return sendGraphError(reply, new GraphError(400, 'BadRequest', `Invalid version: ${path.split('/')[1] ?? ''}`));
    }
    return sendGraphError(reply, new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`));
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    if (error instanceof GraphError) return sendGraphError(reply, error);
    const status = clientErrorStatus(error);
    return sendGraphError(
      reply,
      new GraphError(status, status === 500 ? 'generalException' : 'BadRequest', error.message),
    );
  });

  function requireRole(request: FastifyRequest, allowed: readonly string[]): void {
    const roles = request.graphRoles ?? [];
    if (!roles.some((r) => allowed.some((a) => a.toLowerCase() === r.toLowerCase()))) {
      throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
  }

  const originOf = (request: FastifyRequest) => opts.linkOrigin() ?? `${request.protocol}://${request.host}`;
  const metadata = (request: FastifyRequest, entitySet: string, select: readonly string[] | undefined) =>
    `${originOf(request)}/v1.0/$metadata#${entitySet}${select ? `(${select.join(',')})` : ''}`;

  function userView(select: readonly string[] | undefined) {
    return (r: Resource) => project(r, select ?? USER_DEFAULT_PROPERTIES);
  }
  function groupView(select: readonly string[] | undefined) {
    return (r: Resource) => (select ? project(r, select) : { ...r });
  }

  /** directoryObject items: `@odata.type` first; with $select only the selected properties the type has. */
  function memberView(select: readonly string[] | undefined) {
    return ([type, r]: [ObjectType, Resource]): Resource => {
      const props = type === 'user' ? directory.userProperties : directory.groupProperties;
      const out: Resource = { '@odata.type': ODATA_TYPE[type] };
      if (!select) return Object.assign(out, type === 'user' ? userView(undefined)(r) : groupView(undefined)(r));
      for (const name of select) {
        const canonical = props.canonical(name);
        if (canonical !== undefined) out[canonical] = r[canonical] ?? null;
      }
      return out;
    };
  }

  /** One page of a collection: value, @odata.context, @odata.count (first page, when asked), @odata.nextLink. */
  function page<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    args: {
      items: readonly T[];
      collection: string;
      path: string;
      options: QueryOptions;
      context: string;
      view: (item: T) => Resource;
    },
  ) {
    const { items, collection, options } = args;
    const top = cappedPageSize(request, readTop(options));
    const count = readCount(options, request);
    const token = options.values.get('skiptoken');
    const offset = token === undefined ? 0 : skipTokens.decode(token, collection);
    const slice = items.slice(offset, offset + top);
    const body: Record<string, unknown> = { '@odata.context': args.context };
    if (count && token === undefined) body['@odata.count'] = items.length;
    const next = offset + slice.length;
    if (next < items.length) {
      body['@odata.nextLink'] = nextLinkOf(originOf(request), args.path, options, skipTokens.encode(collection, next));
    }
    body.value = slice.map(args.view);
    return reply.type(JSON_TYPE).send(body);
  }

  app.get('/v1.0/users', async (request, reply) => {
    requireRole(request, READ_USERS);
    const options = readQueryOptions(request);
    const select = readSelect(options, directory.userProperties, 'microsoft.graph.user', true);
    return page(request, reply, {
      items: directory.users,
      collection: 'users',
      path: '/v1.0/users',
      options,
      context: metadata(request, 'users', select),
      view: userView(select),
    });
  });

  app.get<{ Params: { id: string } }>('/v1.0/users/:id', async (request, reply) => {
    requireRole(request, READ_USERS);
    const options = readQueryOptions(request);
    const select = readSelect(options, directory.userProperties, 'microsoft.graph.user', true);
    const id = request.params.id;
    const user =
      directory.user(id) ?? directory.users.find((u) => String(u.userPrincipalName).toLowerCase() === id.toLowerCase());
    if (!user) throw notFound(id);
    return reply
      .type(JSON_TYPE)
      .send({ '@odata.context': metadata(request, 'users', select) + '/$entity', ...userView(select)(user) });
  });

  app.get('/v1.0/groups', async (request, reply) => {
    requireRole(request, READ_GROUPS);
    const options = readQueryOptions(request);
    const select = readSelect(options, directory.groupProperties, 'microsoft.graph.group', false);
    return page(request, reply, {
      items: directory.groups,
      collection: 'groups',
      path: '/v1.0/groups',
      options,
      context: metadata(request, 'groups', select),
      view: groupView(select),
    });
  });

  function groupOr404(id: string): Resource {
    if (!GUID.test(id)) throw new GraphError(400, 'Request_BadRequest', `Invalid object identifier '${id}'.`);
    const group = directory.group(id);
    if (!group) throw notFound(id);
    return group;
  }

  app.get<{ Params: { id: string } }>('/v1.0/groups/:id', async (request, reply) => {
    requireRole(request, READ_GROUPS);
    const options = readQueryOptions(request);
    const select = readSelect(options, directory.groupProperties, 'microsoft.graph.group', false);
    const group = groupOr404(request.params.id);
    return reply
      .type(JSON_TYPE)
      .send({ '@odata.context': metadata(request, 'groups', select) + '/$entity', ...groupView(select)(group) });
  });

  for (const relation of ['members', 'transitiveMembers'] as const) {
    app.get<{ Params: { id: string } }>(`/v1.0/groups/:id/${relation}`, async (request, reply) => {
      requireRole(request, READ_GROUPS);
      const options = readQueryOptions(request);
      const group = groupOr404(request.params.id);
      const id = String(group.id).toLowerCase();
      const select = readMemberSelect(options);
      const items = (relation === 'members' ? directory.members(id) : directory.transitiveMembers(id)) ?? [];
      return page(request, reply, {
        items,
        collection: `${relation}:${id}`,
        path: `/v1.0/groups/${id}/${relation}`,
        options,
        context: metadata(request, 'directoryObjects', select),
        view: memberView(select),
      });
    });
  }

  /** `$select` on directoryObjects: any property a user or a group has; unknown names are ignored. */
  function readMemberSelect(options: QueryOptions): string[] | undefined {
    const raw = options.values.get('select');
    if (raw === undefined) return undefined;
    const out: string[] = [];
    for (const part of raw.split(',')) {
      const name = part.trim();
      const canonical = directory.userProperties.canonical(name) ?? directory.groupProperties.canonical(name);
      if (canonical !== undefined && !out.includes(canonical)) out.push(canonical);
    }
    return out;
  }

  return app;
}

function notFound(id: string): GraphError {
  return new GraphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

declare module 'fastify' {
  interface FastifyRequest {
    /** App roles of the presented token (set by the bearer check). */
    graphRoles: string[];
  }
}
