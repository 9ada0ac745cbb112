import { maxWordChars, PhaseTable } from '../tasks/status-words';
import { TaskStatus } from '../tasks/task-status';
import { type FieldSpec, spellingHeader } from './request';
import type { LegacyRoute } from './routes';
import { wireStatusNames } from './shapes';

type Json = Record<string, unknown>;

/** The built-in phase table, word by word, for the documentation. */
const builtInWords = new PhaseTable().entries();

/** A status word: any word is accepted; the examples are the documented four and the original callers' words. */
const statusWord = (description: string, nullable = false): Json => ({
  type: nullable ? ['string', 'null'] : 'string',
  minLength: 1,
  maxLength: maxWordChars,
  pattern: '^[A-Za-z0-9 _-]+$',
  description,
  examples: [...wireStatusNames, 'success', ...builtInWords.map(([word]) => word).filter((word) => !wireStatusNames.includes(word))],
});

const wordsDoc =
  'A status word: 1-64 letters, digits, spaces, `_` or `-`, stored in lower case as written. Each belongs to a lifecycle phase (see the Phase schema): ' +
  builtInWords.map(([word, phase]) => `${word} -> ${phase}`).join(', ') +
  '; other words take TASKGATE_UNKNOWN_STATUS_PHASE (default IN_PROGRESS), and TASKGATE_STATUS_PHASES adds or overrides words. Answered `sucess` (sic) for the success word unless the caller sends X-Taskgate-Status-Spelling: corrected (then `success`); `success` is accepted on input either way.';

/**
 * The OpenAPI 3.1 document of the legacy API, generated from the route table at start, so it
 * cannot drift from what is served. Status names are spelled as on the wire (`sucess`).
 */
export function openapiDocument(routes: readonly LegacyRoute[], prefixes: readonly string[], maxPageSize: number): Json {
  const paths: Record<string, Record<string, Json>> = {};
  // OpenAPI treats /tasks/{status} and /tasks/{id} as one path: such routes are documented
  // together, under the template of the last of them in the table, with their operations merged.
  // The word segment of /tasks/{status} has the shape of /tasks/{id}: it is documented on the task
  // route's GET instead, so GET /tasks/{id} answers one schema (Task), not TaskList | Task.
  const groups = new Map<string, LegacyRoute[]>();
  const wordSegments: LegacyRoute[] = [];
  for (const route of routes) {
    if (route.kind === 'list' && Object.values(route.params ?? {}).some((p) => p.kind === 'statusName')) {
      wordSegments.push(route);
      continue;
    }
    const shape = route.path.replace(/\{[^}]+\}/g, '{}');
    groups.set(shape, [...(groups.get(shape) ?? []), route]);
  }
  for (const group of groups.values()) {
    const template = group[group.length - 1].path;
    const names = paramNames(template);
    const item: Record<string, Json> = {};
    for (const route of group) {
      const method = route.method.toLowerCase();
      const operation = operationOf(route, names, maxPageSize);
      item[method] = item[method] ? mergeOperations(item[method], operation) : operation;
    }
    paths[template] = item;
  }
  for (const route of wordSegments) {
    const shape = route.path.replace(/\{[^}]+\}/g, '{}');
    const twin = Object.entries(paths).find(([path]) => path.replace(/\{[^}]+\}/g, '{}') === shape)?.[1]?.[route.method.toLowerCase()];
    if (twin) twin.description = `When the segment is a status word rather than an id (operation ${route.name}): ${route.summary} It answers TaskList then.`;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'VirtShell Tasks API (legacy), served by taskgate',
      version: '1',
      description:
        'The documented Tasks API, served over the taskgate GraphQL schema. Trailing slashes are optional; ids are accepted in any case and answered in lowercase; request bodies are JSON whatever the Content-Type says; every error body is JSON. ' +
        'GET /tasks/{segment} with a segment that is a status word and not shaped like an id (32 or more hex digits and hyphens) lists like GET /tasks/status/{status} (the reference example calls GET /tasks/sucess). ' +
        wordsDoc,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: prefixes.map((prefix) => ({ url: prefix === '' ? '/' : prefix })),
    security: [{ virtshellSignature: [] }],
    paths,
    components: { schemas: schemas(), securitySchemes: {
        virtshellSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-VirtShell-Authorization',
          description: '<KeyId or UserId>:<Signature>, Signature = Base64(HMAC-SHA1(secret, VERB\\nHost\\nContent-MD5\\nContent-Type\\nDate\\nCanonicalizedResource)); the date in Date or X-VirtShell-Date (ISO 8601 with milliseconds). See the README, Authentication.',
        },
        virtshellPresignedUrl: {
          type: 'apiKey',
          in: 'query',
          name: 'X-VirtShell-Signature',
          description: 'GET /tasks/events only: X-VirtShell-Key, X-VirtShell-Expires (epoch seconds) and X-VirtShell-Signature over GET\\nHost\\n\\n\\nExpires\\nCanonicalizedResource.',
        },
      },
    },
  };
}

function operationOf(route: LegacyRoute, names: string[], maxPageSize: number): Json {
  const templateParams = paramNames(route.path);
  const parameters: Json[] = templateParams.map((name, i) => ({
    name: names[i],
    in: 'path',
    required: true,
    description: route.params?.[name]?.description ?? name,
    schema: route.params?.[name]?.kind === 'id' ? { type: 'string' } : statusWord('A status word.'),
  }));
  if (route.kind === 'list') {
    parameters.push(
      { name: 'limit', in: 'query', required: false, description: 'Answer one page of at most this many tasks, with the `next` cursor.', schema: { type: 'integer', minimum: 1, maximum: maxPageSize } },
      { name: 'after', in: 'query', required: false, description: 'The `next` cursor of the previous page.', schema: { type: 'string' } },
    );
  }
  for (const [name, description] of Object.entries(route.query ?? {})) parameters.push({ name, in: 'query', required: false, description, schema: name === 'status' ? statusWord('A status word.') : { type: 'string' } });
  for (const [name, description] of Object.entries(route.headers ?? {})) parameters.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
  if (route.method === 'GET' && route.kind !== 'refused') {
    parameters.push({ name: spellingHeader, in: 'header', required: false, description: '`corrected` answers `success` instead of the legacy `sucess`.', schema: { type: 'string', enum: ['corrected'] } });
  }
  const errorSchema = route.verb ? 'WriteError' : 'Error';
  const responses: Json = {};
  for (const [status, [schema, description]] of Object.entries(route.responses)) responses[status] = response(schema, description);
  if (route.kind === 'events') {
    responses[200] = { description: route.responses[200][1], content: { 'text/event-stream': { schema: { type: 'string', description: 'Server-Sent Events, unnamed (EventSource `onmessage`), each with its event `id`; each `data` line is a StatusEvent as JSON. Resume with Last-Event-ID. A browser EventSource authenticates with a presigned URL (X-VirtShell-Key, X-VirtShell-Expires, X-VirtShell-Signature).' } } } };
  }
  const common: [number, string][] = [
    [401, 'The request is not signed, or the signature does not verify.'],
    [403, 'The key may not do this (a read key writing).'],
    [404, 'No such route.'],
    [405, 'The path exists but not with this method; see Allow.'],
    [406, 'The Accept header rules out application/json.'],
    [503, 'The database cannot be reached; try again.'],
    [500, 'An unexpected error; the body says nothing more (the server log does).'],
  ];
  if (route.body) common.push([413, 'The body is larger than the configured limit.']);
  for (const [status, description] of common) responses[status] ??= response(errorSchema, description);
  return {
    operationId: route.name,
    summary: route.summary,
    ...(route.kind === 'events' ? { security: [{ virtshellSignature: [] }, { virtshellPresignedUrl: [] }] } : {}),
    parameters,
    ...(route.body ? { requestBody: { required: true, description: 'JSON, whatever the Content-Type says.', content: { 'application/json': { schema: bodySchema(route.body) } } } } : {}),
    responses,
  };
}

function mergeOperations(a: Json, b: Json): Json {
  const responses = { ...(a.responses as Json) };
  for (const [status, r] of Object.entries(b.responses as Json)) {
    const existing = responses[status] as Json | undefined;
    const schemaOf = (x: Json) => (x.content as any)?.['application/json']?.schema;
    if (!existing || JSON.stringify(existing) === JSON.stringify(r)) {
      responses[status] = r;
      continue;
    }
    const [x, y] = [schemaOf(existing), schemaOf(r as Json)];
    const description = `${existing.description} Or: ${(r as Json).description}`;
    if (x && y && JSON.stringify(x) !== JSON.stringify(y)) responses[status] = { description, content: { 'application/json': { schema: { oneOf: [x, y] } } } };
    else responses[status] = { ...existing, description };
  }
  const byKey = new Map<string, Json>();
  for (const p of [...(a.parameters as Json[]), ...(b.parameters as Json[])]) {
    const key = `${p.in}:${p.name}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { ...p });
    else if (p.in === 'path') byKey.set(key, { ...seen, description: `${seen.description}; otherwise: ${p.description}`, schema: { type: 'string' } });
  }
  const parameters = [...byKey.values()];
  return {
    operationId: `${a.operationId}Or${String(b.operationId).replace(/^./, (c) => c.toUpperCase())}`,
    summary: `${a.summary} Otherwise: ${b.summary}`,
    parameters,
    responses,
  };
}

function paramNames(template: string): string[] {
  return [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
}

function response(schema: string | null, description: string): Json {
  return schema ? { description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } } : { description };
}

function bodySchema(fields: Record<string, FieldSpec>): Json {
  const properties: Json = {};
  for (const [name, spec] of Object.entries(fields)) {
    properties[name] = spec.type === 'status' ? statusWord(spec.description, true) : { type: spec.required ? 'string' : ['string', 'null'], description: spec.description };
  }
  const required = Object.entries(fields).filter(([, spec]) => spec.required).map(([name]) => name);
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: true };
}

function schemas(): Json {
  const epoch = { type: 'string', pattern: '^[0-9]+$', description: 'Epoch seconds, as a string.' };
  const nullableString = { type: ['string', 'null'] };
  return {
    Task: {
      type: 'object',
      required: ['uuid', 'description', 'status', 'type', 'object_uuid', 'created', 'last_update', 'log'],
      properties: {
        uuid: { type: 'string', format: 'uuid' },
        description: { type: 'string' },
        status: statusWord(`The status word as last written. ${wordsDoc}`),
        type: nullableString,
        object_uuid: nullableString,
        created: { type: 'object', required: ['at', 'by'], properties: { at: epoch, by: { type: 'string', description: 'The creating user.' } } },
        last_update: epoch,
        log: nullableString,
        version: { type: 'integer', minimum: 1, description: 'Added by taskgate: grows with every update; the ETag.' },
      },
    },
    TaskList: {
      type: 'object',
      required: ['tasks'],
      properties: {
        tasks: { type: 'array', items: { $ref: '#/components/schemas/Task' } },
        next: { type: ['string', 'null'], description: 'Only with `limit`: pass as `after` for the next page; null on the last.' },
      },
    },
    CreateResult: {
      type: 'object',
      required: ['create', 'task_id'],
      properties: { create: { const: 'success' }, task_id: { type: 'string', format: 'uuid' } },
    },
    UpdateResult: { type: 'object', required: ['update'], properties: { update: { const: 'success' } } },
    DeleteResult: { type: 'object', required: ['delete'], properties: { delete: { const: 'success' } } },
    Phase: {
      type: 'string',
      enum: Object.values(TaskStatus),
      description:
        'The lifecycle phase of a status word (GraphQL TaskStatus): PENDING -> IN_PROGRESS | FAILED; IN_PROGRESS -> SUCCESS | FAILED; SUCCESS and FAILED are final. Words within a phase change freely.',
    },
    StatusEvent: {
      type: 'object',
      description: 'The `data` of one `status` (or `deleted`) event on GET /tasks/events.',
      required: ['uuid', 'kind', 'status', 'previous_status', 'phase', 'log', 'at', 'by', 'version'],
      properties: {
        uuid: { type: 'string', format: 'uuid' },
        kind: { type: 'string', enum: ['created', 'updated', 'deleted'], description: '`deleted`: the task is gone; `status` is the word it had.' },
        status: statusWord('The status word after the change.'),
        previous_status: statusWord('The word before the change; null for the creation.', true),
        phase: { $ref: '#/components/schemas/Phase' },
        log: nullableString,
        at: epoch,
        by: { type: 'string', description: 'The user who made the change.' },
        version: { type: 'integer', minimum: 1, description: 'The task version this change produced.' },
      },
    },
    Error: {
      type: 'object',
      required: ['error'],
      description: 'An authentication refusal adds `message` (what to fix) and details: `stringToSign`, `serverTime`, `requestTime`, `expiredAt`.',
      properties: { error: { type: 'string' }, message: { type: 'string' } },
      additionalProperties: { type: 'string' },
    },
    WriteError: {
      type: 'object',
      required: ['reason', 'error'],
      description: 'The verb form: `{"update": "error", "reason": ...}` (or `create`, `delete`), with `error` repeating the reason.',
      properties: { create: { const: 'error' }, update: { const: 'error' }, delete: { const: 'error' }, reason: { type: 'string' }, error: { type: 'string' }, message: { type: 'string' } },
      additionalProperties: { type: 'string' },
    },
  };
}
