import { z } from 'zod';
import { IDENTIFIER_PATTERN, identifierProblem } from './identifiers.js';
import { COLUMN_TYPES, CONFLICT_STRATEGIES, SYNC_DIRECTIONS } from './table-declaration.js';

/** A name checked by {@link identifierProblem}, so each bad name yields exactly one message. */
function identifier(kind: 'table' | 'column') {
  return z.string().superRefine((name, ctx) => {
    const message = identifierProblem(name, kind);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });
}

/** A column's shape; `definePlugin` checks its default and limits only once it has this shape. */
export const columnSchema = z.strictObject({
  type: z.enum(COLUMN_TYPES as [string, ...string[]], { error: `must be one of ${COLUMN_TYPES.join(', ')}` }),
  nullable: z.boolean().optional(),
  default: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  maxLength: z.number().optional(),
  maxBytes: z.number().optional(),
  maxDepth: z.number().optional(),
});

// Index and ordering columns only need to be well-formed here; whether they name a
// declared column is checked against the table by `definePlugin`.
const columnReference = z.string().regex(IDENTIFIER_PATTERN, 'must be a column name');

const indexSchema = z.strictObject({
  columns: z.array(columnReference).min(1, 'an index needs at least one column'),
  unique: z.boolean().optional(),
});

const tableSchema = z.strictObject({
  name: identifier('table'),
  columns: z.record(identifier('column'), columnSchema),
  indexes: z.array(indexSchema).optional(),
  strategy: z.enum(CONFLICT_STRATEGIES as [string, ...string[]], {
    error: `must be one of ${CONFLICT_STRATEGIES.join(', ')}`,
  }),
  resolver: z.function().optional(),
  appendOnly: z.boolean().optional(),
  direction: z
    .enum(SYNC_DIRECTIONS as [string, ...string[]], { error: `must be one of ${SYNC_DIRECTIONS.join(', ')}` })
    .optional(),
  orderingKey: z.array(columnReference).optional(),
});

/**
 * The zod schema of a plugin declaration: shapes and names only; cross-references are checked by `definePlugin`.
 *
 * @example
 * const result = pluginDeclarationSchema.safeParse(JSON.parse(manifestText));
 */
export const pluginDeclarationSchema = z.strictObject({
  name: z.string().regex(/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/, 'must be an npm-style package name'),
  version: z.string().min(1, 'must not be empty'),
  tables: z.array(tableSchema),
  serverSql: z.string().optional(),
});
