import { z } from 'zod';
import { IDENTIFIER_PATTERN, identifierProblem } from './identifiers.js';
import { COLUMN_TYPES, CONFLICT_STRATEGIES, SYNC_DIRECTIONS } from './table-declaration.js';

/** A name checked by {@link identifierProblem}, so each bad name yields exactly one message. */
function identifier(kind: 'table' | 'column' | 'local column') {
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
  pullScope: z.strictObject({ column: columnReference, claim: z.string().regex(IDENTIFIER_PATTERN, 'must be a claim name') }).optional(),
});

/** The longest `select` a view may declare: far past any real view, short of a runaway paste. */
export const MAX_VIEW_SELECT_LENGTH = 65_536;

// Local tables take the same columns as synced ones; whether the key names declared,
// non-nullable columns is checked by `definePlugin`.
const localTableSchema = z.strictObject({
  name: identifier('table'),
  columns: z.record(identifier('local column'), columnSchema),
  primaryKey: z.array(columnReference, { error: 'must be a list of column names' }).min(1, 'a local table needs a primary key'),
});

// Only the shape here: what the SELECT reads is checked against the database when the store opens.
const viewSchema = z.strictObject({
  name: identifier('table'),
  select: z
    .string({ error: 'must be the text of one SELECT statement' })
    .trim()
    .regex(/^(select|with)\b/i, 'must be one SELECT statement (or WITH … SELECT)')
    .max(MAX_VIEW_SELECT_LENGTH, `must be at most ${MAX_VIEW_SELECT_LENGTH} characters`)
    .refine((select) => !select.endsWith(';'), 'must not end with a semicolon'),
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
  localTables: z.array(localTableSchema).optional(),
  views: z.array(viewSchema).optional(),
  serverSql: z.string().optional(),
});
