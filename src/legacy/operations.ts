/**
 * The fixed GraphQL operations the legacy routes execute. Parsed and validated once at start
 * against the schema (with the same validation rules as /graphql), so a schema change that
 * breaks the legacy API stops the server from starting instead of failing at request time.
 */
const taskFields = `fragment LegacyTask on Task {
  id description status type objectUuid created { at by } lastUpdate log version
}`;

export const operations = {
  taskById: `query LegacyTaskById($id: ID!) { task(id: $id) { ...LegacyTask } }
${taskFields}`,

  taskPage: `query LegacyTaskPage($status: TaskStatus, $first: Int, $after: String) {
  tasks(status: $status, first: $first, after: $after) {
    edges { node { ...LegacyTask } }
    pageInfo { hasNextPage endCursor }
  }
}
${taskFields}`,

  createTask: `mutation LegacyCreateTask($input: CreateTaskInput!) { createTask(input: $input) { id version } }`,

  updateTask: `mutation LegacyUpdateTask($id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {
  updateTask(id: $id, input: $input, expectedVersion: $expectedVersion) { id version }
}`,
} as const;

export type OperationName = keyof typeof operations;
