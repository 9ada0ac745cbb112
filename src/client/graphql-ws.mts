// ESM entry point: the CommonJS build's named exports, for `import { ... } from 'taskgate/client/graphql-ws'`.
export * from './graphql-ws.js';
