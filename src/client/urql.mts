// ESM entry point: the CommonJS build's named exports, for `import { ... } from 'taskgate/client/urql'`.
export * from './urql.js';
