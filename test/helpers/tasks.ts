import type { SignOptions, TestServer } from './server';

/**
 * The task factory: creates and changes tasks through GraphQL the way a client does, so a suite
 * says what it needs ("a task in progress") instead of repeating mutation strings. Each call
 * fails the test with the server's errors when the server refuses; a suite that is testing a
 * refusal sends its own mutation (or uses `tryUpdateTask`).
 */
export interface TaskInput {
  description?: string;
  status?: 'PENDING' | 'IN_PROGRESS';
  /** The status word as a legacy caller writes it (e.g. received); its phase follows from it. */
  stage?: string;
  type?: string | null;
  objectUuid?: string;
  log?: string;
  id?: string;
}

export interface TaskChange {
  status?: string;
  stage?: string;
  log?: string;
}

export interface FactoryOptions extends SignOptions {
  /** The fields to select (default `id version status type`). */
  fields?: string;
}

const defaultFields = 'id version status type';
let made = 0;

/** A new task (description `task N` unless given); resolves with the selected fields. */
export async function createTask(server: TestServer, input: TaskInput = {}, options: FactoryOptions = {}): Promise<any> {
  const { fields = defaultFields, ...sign } = options;
  const result = await server.gql(`mutation($input: CreateTaskInput!) { createTask(input: $input) { ${fields} } }`, { input: { description: `task ${++made}`, ...input } }, sign);
  if (result.errors || !result.data?.createTask) throw new Error(`createTask was refused: ${JSON.stringify(result.errors ?? result)}`);
  return result.data.createTask;
}

/** The raw answer to an update (errors included), for suites that test refusals. */
export function tryUpdateTask(server: TestServer, id: string, change: TaskChange, options: FactoryOptions & { expectedVersion?: number } = {}) {
  const { fields = defaultFields, expectedVersion, ...sign } = options;
  return server.gql(`mutation($id: ID!, $input: UpdateTaskInput!, $v: Int) { updateTask(id: $id, input: $input, expectedVersion: $v) { ${fields} } }`, { id, input: change, v: expectedVersion }, sign);
}

/** Changes a task; resolves with the selected fields. */
export async function updateTask(server: TestServer, id: string, change: TaskChange, options: FactoryOptions & { expectedVersion?: number } = {}): Promise<any> {
  const result = await tryUpdateTask(server, id, change, options);
  if (result.errors || !result.data?.updateTask) throw new Error(`updateTask was refused: ${JSON.stringify(result.errors ?? result)}`);
  return result.data.updateTask;
}
