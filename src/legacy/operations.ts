/**
 * The fixed GraphQL operations the legacy routes execute. Parsed and validated once at start
 * against the schema (with the same validation rules as /graphql), so a schema change that
 * breaks the legacy API stops the server from starting instead of failing at request time.
 */
const taskFields = `fragment LegacyTask on Task {
  id description status stage type objectUuid created { at by } lastUpdate log version
}`;

export const operations = {
  taskById: `query LegacyTaskById($id: ID!) { task(id: $id) { ...LegacyTask } }
${taskFields}`,

  taskPage: `query LegacyTaskPage($status: TaskStatus, $stage: String, $first: Int, $after: String) {
  tasks(status: $status, stage: $stage, first: $first, after: $after) {
    edges { node { ...LegacyTask } }
    pageInfo { hasNextPage endCursor }
  }
}
${taskFields}`,

  createTask: `mutation LegacyCreateTask($input: CreateTaskInput!) { createTask(input: $input) { id version } }`,

  updateTask: `mutation LegacyUpdateTask($id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) {
  updateTask(id: $id, input: $input, expectedVersion: $expectedVersion) { id version }
}`,

  deleteTask: `mutation LegacyDeleteTask($id: ID!) { deleteTask(id: $id) { id } }`,
} as const;

export type OperationName = keyof typeof operations;
