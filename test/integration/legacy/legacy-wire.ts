import type { TestServer } from '../../helpers/server';

/** The fields of a task on the legacy wire, in the reference's order (version is taskgate's addition). */
export const legacyTaskKeys = ['uuid', 'description', 'status', 'type', 'object_uuid', 'created', 'last_update', 'log', 'version'];

/** Asserts the legacy task shape: every field, epoch-second strings, wire status names. */
export function expectLegacyTask(task: any): void {
  expect(Object.keys(task)).toEqual(legacyTaskKeys);
  expect(task.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(typeof task.description).toBe('string');
  expect(['pending', 'in progress', 'sucess', 'failed']).toContain(task.status);
  expect(Object.keys(task.created)).toEqual(['at', 'by']);
  expect(task.created.at).toMatch(/^\d{10}$/);
  expect(typeof task.created.by).toBe('string');
  expect(task.last_update).toMatch(/^\d{10}$/);
  expect(Number(task.last_update)).toBeGreaterThanOrEqual(Number(task.created.at));
  expect(Number.isInteger(task.version)).toBe(true);
}

/** Everything a refusal must leave alone: how many tasks there are and one task's full history. */
export async function snapshot(server: TestServer, id?: string): Promise<unknown> {
  const result = await server.gql(
    `query($id: ID!, $withTask: Boolean!) {
      tasks(first: 0) { totalCount }
      task(id: $id) @include(if: $withTask) { status log version lastUpdate history { version status log } }
    }`,
    { id: id ?? '00000000-0000-4000-8000-000000000000', withTask: id !== undefined },
  );
  expect(result.errors).toBeUndefined();
  return result.data;
}

/** JSON sent exactly as the legacy dispatcher sends it: bytes, no Content-Type header. */
export function bare(body: unknown): string {
  return JSON.stringify(body);
}
