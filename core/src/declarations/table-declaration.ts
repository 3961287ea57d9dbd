/**
 * A column's type, mapped by core to SQLite and Postgres types.
 *
 * @example
 * const type: ColumnType = 'timestamp';
 */
export type ColumnType = 'text' | 'integer' | 'real' | 'boolean' | 'json' | 'timestamp';

/**
 * Every {@link ColumnType}, in declaration order.
 *
 * @example
 * COLUMN_TYPES.includes(type);
 */
export const COLUMN_TYPES: readonly ColumnType[] = ['text', 'integer', 'real', 'boolean', 'json', 'timestamp'];

/**
 * How a table settles a row changed both locally and in the cloud.
 * - `LocalWins`: the device's version is kept and uploaded.
 * - `RemoteWins`: the cloud's version replaces the local one.
 * - `LastWriteWins`: the version with the later hybrid logical clock wins; the device id breaks ties.
 * - `Manual`: both versions are kept in the conflict inbox until someone picks.
 *
 * @example
 * const strategy: ConflictStrategy = 'LastWriteWins';
 */
export type ConflictStrategy = 'LocalWins' | 'RemoteWins' | 'LastWriteWins' | 'Manual';

/**
 * Every {@link ConflictStrategy}.
 *
 * @example
 * CONFLICT_STRATEGIES.includes(strategy);
 */
export const CONFLICT_STRATEGIES: readonly ConflictStrategy[] = ['LocalWins', 'RemoteWins', 'LastWriteWins', 'Manual'];

/**
 * Which way a table's rows travel.
 *
 * @example
 * const direction: SyncDirection = 'download-only';
 */
export type SyncDirection = 'both' | 'upload-only' | 'download-only';

/**
 * Every {@link SyncDirection}.
 *
 * @example
 * SYNC_DIRECTIONS.includes(direction);
 */
export const SYNC_DIRECTIONS: readonly SyncDirection[] = ['both', 'upload-only', 'download-only'];

/**
 * A row as the engine sees it: column name to value.
 *
 * @example
 * const row: Row = { id, name: 'Ada', active: true };
 */
export type Row = Record<string, unknown>;

/**
 * The two versions of a row a resolver chooses between.
 *
 * @example
 * const resolver: ConflictResolver = ({ table, local, remote }: ConflictContext) => ({ pick: 'remote' });
 */
export interface ConflictContext {
  readonly table: string;
  readonly local: Row;
  readonly remote: Row;
}

/**
 * A resolver's verdict: keep one side, supply a merged row, or leave it to a person.
 *
 * @example
 * const keepMine: ConflictResolution = { pick: 'local' };
 */
export type ConflictResolution =
  | { readonly pick: 'local' }
  | { readonly pick: 'remote' }
  | { readonly pick: 'merged'; readonly row: Row }
  | { readonly pick: 'manual' };

/**
 * Code a plugin supplies to settle conflicts on one table, instead of its declared
 * strategy (the strategy still governs the cloud side). It runs inside a local
 * transaction, so it must be synchronous and must not do I/O.
 *
 * @example
 * const keepHigherCount: ConflictResolver = ({ local, remote }) =>
 *   Number(local.count) >= Number(remote.count) ? { pick: 'local' } : { pick: 'remote' };
 */
export type ConflictResolver = (conflict: ConflictContext) => ConflictResolution;

/**
 * A column as a plugin declares it.
 *
 * @example
 * const name: ColumnDeclaration = { type: 'text', nullable: false, default: '' };
 */
export interface ColumnDeclaration {
  readonly type: ColumnType;
  /** Defaults to `true`. */
  readonly nullable?: boolean;
  /** A constant default; `json` defaults are given as JSON text. */
  readonly default?: string | number | boolean | null;
  /** `integer`, `real`: smallest value (integers default to −(2^53−1)). */
  readonly min?: number;
  /** `integer`, `real`: largest value (integers default to 2^53−1). */
  readonly max?: number;
  /** `text`: most characters (default 10,000). */
  readonly maxLength?: number;
  /** `json`: most bytes of JSON text (default 65,536). */
  readonly maxBytes?: number;
  /** `json`: deepest nesting (default 32). */
  readonly maxDepth?: number;
}

/**
 * An index over declared columns. Unique indexes are scoped to the tenant by core and
 * ignore tombstones, so a deleted row's key can be used again.
 *
 * @example
 * const byCode: IndexDeclaration = { columns: ['code'], unique: true };
 */
export interface IndexDeclaration {
  readonly columns: readonly string[];
  readonly unique?: boolean;
}

/**
 * A synced table as a plugin declares it. Core adds the system columns
 * (`id`, `tenant_id`, `updated_at`, `deleted`) itself.
 *
 * @example
 * const clients: TableDeclaration = {
 *   name: 'clients',
 *   columns: { code: { type: 'text', nullable: false }, credit_cents: { type: 'integer' } },
 *   indexes: [{ columns: ['code'], unique: true }],
 *   strategy: 'LastWriteWins',
 * };
 */
export interface TableDeclaration {
  readonly name: string;
  readonly columns: Readonly<Record<string, ColumnDeclaration>>;
  readonly indexes?: readonly IndexDeclaration[];
  readonly strategy: ConflictStrategy;
  /** Settles conflicts in code on the device; see {@link ConflictResolver}. */
  readonly resolver?: ConflictResolver;
  /**
   * Rows are only ever inserted: DELETE is always refused, UPDATE is refused once the
   * row is synced (a row still waiting for its first upload may be corrected), and
   * pulls never change a row the device already has.
   */
  readonly appendOnly?: boolean;
  /** Defaults to `both`. */
  readonly direction?: SyncDirection;
  /** Columns whose values group rows that must upload strictly in change order. */
  readonly orderingKey?: readonly string[];
  /**
   * Which of the tenant's rows a device pulls: all of them (the default), or only those
   * whose `column` equals one of the device token's claims — `{ column: 'till_id', claim:
   * 'device_id' }` pulls only the rows of the device's own installation. Enforced by the
   * cloud in `eq_pull`; a device still uploads whatever it writes.
   */
  readonly pullScope?: PullScope;
}

/**
 * The rows of a table a device pulls: those whose `column` (a declared text column)
 * equals the claim `claim` of the device's token (read as the cloud reads every claim:
 * from `app_metadata`, or a top-level claim). A table without one pulls all of its
 * tenant's rows.
 *
 * @example
 * const ownTill: PullScope = { column: 'till_id', claim: 'device_id' };
 */
export interface PullScope {
  readonly column: string;
  readonly claim: string;
}

/**
 * The bounds a column's values must keep, on the device and in the cloud alike. Only the
 * fields of the column's type are set.
 *
 * @example
 * const limits: ColumnLimits = { min: 0, max: 1_000_000 };
 */
export interface ColumnLimits {
  /** `integer` and `real`: the smallest value allowed (inclusive). */
  readonly min?: number;
  /** `integer` and `real`: the largest value allowed (inclusive). */
  readonly max?: number;
  /** `text`: the most characters (Unicode code points) a value may have. */
  readonly maxLength?: number;
  /** `json`: the most bytes of the value's JSON text (UTF-8). */
  readonly maxBytes?: number;
  /** `json`: the deepest nesting of arrays and objects (a scalar is depth 0). */
  readonly maxDepth?: number;
}

/**
 * A declared column after validation, with defaults filled in.
 *
 * @example
 * table.columns.filter((column: ColumnDefinition) => !column.nullable);
 */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly default: string | number | boolean | null | undefined;
  /** The bounds every value keeps, on the device and in the cloud: see {@link ColumnLimits}. */
  readonly limits: ColumnLimits;
}

/**
 * An index after validation.
 *
 * @example
 * table.indexes.filter((index: IndexDefinition) => index.unique);
 */
export interface IndexDefinition {
  readonly columns: readonly string[];
  readonly unique: boolean;
}

/**
 * A table after validation: every optional field resolved.
 *
 * @example
 * const uploads = (table: TableDefinition) => table.direction !== 'download-only';
 */
export interface TableDefinition {
  readonly name: string;
  readonly plugin: string;
  readonly columns: readonly ColumnDefinition[];
  readonly indexes: readonly IndexDefinition[];
  readonly strategy: ConflictStrategy;
  readonly resolver: ConflictResolver | undefined;
  readonly appendOnly: boolean;
  readonly direction: SyncDirection;
  readonly orderingKey: readonly string[];
  /** Which rows a device pulls; undefined: all of its tenant's. */
  readonly pullScope: PullScope | undefined;
}
