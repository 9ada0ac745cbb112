'use strict';
/**
 * The GraphQL operations the bench sends, and request bodies for them. The floor servers
 * answer the same bodies with the same JSON, so both sides do the same job.
 */
const taskFields = 'id description status type objectUuid created { at by } lastUpdate log version';

const operations = {
  task: `query Task($id: ID!) { task(id: $id) { ${taskFields} } }`,
  tasks: `query Tasks($status: TaskStatus, $first: Int) { tasks(status: $status, first: $first) { edges { cursor node { ${taskFields} } } pageInfo { hasNextPage endCursor } } }`,
  updateTask: `mutation UpdateTask($id: ID!, $log: String!) { updateTask(id: $id, input: { log: $log }) { id log } }`,
};

const body = (operationName, query, variables) => JSON.stringify({ operationName, query, variables });

const readBodies = (ids) => ids.map((id) => body('Task', operations.task, { id }));
const listBodies = (status, first) => [body('Tasks', operations.tasks, { status, first })];
const writeBodies = (ids) => ids.map((id, i) => body('UpdateTask', operations.updateTask, { id, log: `bench write ${i} __N__` }));

module.exports = { operations, readBodies, listBodies, writeBodies };
