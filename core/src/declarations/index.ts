export * from './identifiers.js';
export * from './table-declaration.js';
export * from './column-limits.js';
export * from './plugin-declaration.js';
export * from './declaration-error.js';
export { pluginDeclarationSchema } from './declaration-schema.js';
export { definePlugin, assertDistinctTables } from './define-plugin.js';
export * from './plugin-manifest.js';
