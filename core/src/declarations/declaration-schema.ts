import { z } from 'zod';
import { IDENTIFIER_PATTERN, RESERVED_PREFIX, SYSTEM_COLUMNS } from './identifiers.js';
import { COLUMN_TYPES, CONFLICT_STRATEGIES, SYNC_DIRECTIONS } from './table-declaration.js';

const identifier = z
  .string()
  .regex(IDENTIFIER_PATTERN, `must match ${IDENTIFIER_PATTERN.source}`)
  .refine((name) => !name.startsWith(RESERVED_PREFIX), `the prefix "${RESERVED_PREFIX}" is reserved for the engine`);

const columnSchema = z.strictObject({
  type: z.enum(COLUMN_TYPES as [string, ...string[]], { error: `must be one of ${COLUMN_TYPES.join(', ')}` }),
  nullable: z.boolean().optional(),
  default: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
});

const indexSchema = z.strictObject({
  columns: z.array(identifier).min(1, 'an index needs at least one column'),
  unique: z.boolean().optional(),
});

const tableSchema = z.strictObject({
  name: identifier,
  columns: z
    .record(z.string(), columnSchema)
    .superRefine((columns, ctx) => {
      for (const name of Object.keys(columns)) {
        const message = columnNameProblem(name);
        if (message !== undefined) ctx.addIssue({ code: 'custom', path: [name], message });
      }
    }),
  indexes: z.array(indexSchema).optional(),
  strategy: z.enum(CONFLICT_STRATEGIES as [string, ...string[]], {
    error: `must be one of ${CONFLICT_STRATEGIES.join(', ')}`,
  }),
  resolver: z.function().optional(),
  appendOnly: z.boolean().optional(),
  direction: z
    .enum(SYNC_DIRECTIONS as [string, ...string[]], { error: `must be one of ${SYNC_DIRECTIONS.join(', ')}` })
    .optional(),
  orderingKey: z.array(identifier).optional(),
});

function columnNameProblem(name: string): string | undefined {
  if ((SYSTEM_COLUMNS as readonly string[]).includes(name)) {
    return `"${name}" is a system column added by the engine and cannot be declared`;
  }
  if (!IDENTIFIER_PATTERN.test(name)) return `column name must match ${IDENTIFIER_PATTERN.source}`;
  if (name.startsWith(RESERVED_PREFIX)) return `the prefix "${RESERVED_PREFIX}" is reserved for the engine`;
  return undefined;
}

/** The zod schema of a plugin declaration: shapes and names only; cross-references are checked by `definePlugin`. */
export const pluginDeclarationSchema = z.strictObject({
  name: z.string().regex(/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/, 'must be an npm-style package name'),
  version: z.string().min(1, 'must not be empty'),
  tables: z.array(tableSchema),
  serverSql: z.string().optional(),
});
