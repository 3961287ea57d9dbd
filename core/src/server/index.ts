export { compileServerSchema } from './compile-server-schema.js';
export { POSTGRES_TYPES } from './postgres-columns.js';
export { MAX_PULL_LIMIT } from './pull-function-sql.js';
export { PRIVATE_SCHEMA } from './sql-text.js';
