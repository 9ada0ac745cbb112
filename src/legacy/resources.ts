import { normaliseWord } from '../tasks/status-words';
import { badRequest } from './failure';
import type { LegacyRoute, Method, ParamSpec } from './routes';

/** The routes of the table grouped by path template: one resource, its methods. */
export interface Resource {
  template: string;
  segments: string[];
  params: Record<string, ParamSpec>;
  methods: Map<Method, LegacyRoute>;
}

export function resourcesOf(routes: readonly LegacyRoute[]): Resource[] {
  const byTemplate = new Map<string, Resource>();
  for (const route of routes) {
    let resource = byTemplate.get(route.path);
    if (!resource) {
      resource = { template: route.path, segments: route.path.split('/').filter(Boolean), params: {}, methods: new Map() };
      byTemplate.set(route.path, resource);
    }
    Object.assign(resource.params, route.params);
    resource.methods.set(route.method, route);
  }
  return [...byTemplate.values()];
}

/**
 * Finds the resource of a path (relative to its prefix, trailing slash optional) and decodes
 * its parameters, trying templates in table order. Undefined when no template fits (404).
 * The path alone decides the resource, whatever the method: `/tasks/dispatched` is a listing
 * (PUT there is a 405), `/tasks/<uuid>` a task.
 */
export function matchResource(resources: readonly Resource[], path: string): { resource: Resource; params: Record<string, string> } | undefined {
  const segments = path.split('/').filter((s, i, all) => s !== '' || (i > 0 && i < all.length - 1));
  for (const resource of resources) {
    const params = matchSegments(resource, segments);
    if (params) return { resource, params };
  }
  return undefined;
}

/**
 * Whether `/tasks/<segment>` names a status word rather than a task: a valid word that does not
 * look like an id. Hex digits and hyphens 32 or more long look like a (possibly mistyped) uuid,
 * which answers as a bad id instead of an empty listing; `/tasks/status/<word>` lists any word.
 */
export function isWordSegment(value: string): boolean {
  if (/^[0-9a-f-]{32,}$/i.test(value)) return false;
  try {
    normaliseWord(value);
    return true;
  } catch {
    return false;
  }
}

function matchSegments(resource: Resource, given: string[]): Record<string, string> | undefined {
  let segments = given;
  const last = resource.segments.at(-1) ?? '';
  // `/tasks/status/` names no status: the resource is right, the request is a 400.
  if (segments.length === resource.segments.length - 1 && paramSpec(resource, last)?.kind === 'status') segments = [...segments, ''];
  if (segments.length !== resource.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const spec = paramSpec(resource, resource.segments[i]);
    if (!spec) {
      if (segments[i] !== resource.segments[i]) return undefined;
      continue;
    }
    const value = decodeSegment(segments[i]);
    if (spec.kind === 'statusName' && !isWordSegment(value)) return undefined;
    if (spec.kind === 'id' && value === '') return undefined;
    params[resource.segments[i].slice(1, -1)] = value;
  }
  return params;
}

function paramSpec(resource: Resource, segment: string): ParamSpec | undefined {
  return segment.startsWith('{') && segment.endsWith('}') ? resource.params[segment.slice(1, -1)] : undefined;
}

/** `in%20progress` and `in progress` alike; a broken escape is the caller's error. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`the path segment ${JSON.stringify(segment)} is not valid percent-encoding`);
  }
}
