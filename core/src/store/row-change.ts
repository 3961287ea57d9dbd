import type { Database, Statement } from 'better-sqlite3';
import { quoteIdentifier, type Row } from '../declarations/index.js';
import { decodeTombstone, decodeValue, type SqliteValue } from './row-codec.js';
import type { TableContext } from './table-registry.js';

/** An update changes a live row; a restore also brings back a tombstone. */
export type ChangeKind = 'update' | 'restore';

/** Where a column of the returned row comes from. */
const enum Source {
  Read,
  Patch,
  Clock,
  Live,
  Id,
}

/** The statements of one kind of change of one column set, and how its result is assembled. */
interface ChangePlan {
  readonly tableId: number;
  readonly names: readonly string[];
  /** `rowid`, `deleted` and every column the change leaves as it was, by id. */
  readonly read: Statement<[string], unknown[]>;
  /** Binds the patch's values, `updated_at`, then the rowid the read found, as one array (better-sqlite3 spreads it). */
  readonly write: Statement<[SqliteValue[]]>;
  /** The table's columns in order (what `SELECT *` gives), each with its source and index there. */
  readonly columns: readonly string[];
  readonly sources: readonly Source[];
  readonly indexes: readonly number[];
}

/**
 * Writes updates and restores of a synced table and returns the row as stored, without
 * `UPDATE … RETURNING *`: SQLite's RETURNING buffers each row in an ephemeral table, and
 * reading back every column turns each stored string into a JS string again. Instead the
 * row's rowid and the columns the change leaves alone are read first, in the write's own
 * transaction; the write then finds the row by rowid, and the result is that read merged
 * with the patch (decoded from the values just bound) and the new clock value. The
 * capture triggers still fire on the write itself.
 *
 * @example
 * const changes = new RowChanges(db);
 * const row = changes.write(context, 'update', ['qty'], [3], id, () => clock.tick());
 */
export class RowChanges {
  /** The plan each kind used last: loops patch the same columns, and a match spares building the cache key. */
  private readonly last: Record<ChangeKind, ChangePlan | undefined> = { update: undefined, restore: undefined };
  private readonly plans = new Map<string, ChangePlan>();

  constructor(private readonly db: Database) {}

  /**
   * Writes `values` (encoded, in `names` order) into row `id`, stamped with `stamp()`,
   * and returns the row; `undefined` when there is no such row (or, for an update, only a
   * tombstone). Call it inside a transaction: the read and the write must see the same row.
   */
  write(context: TableContext, kind: ChangeKind, names: readonly string[], values: SqliteValue[], id: string, stamp: () => string): Row | undefined {
    const plan = this.plan(context, kind, names);
    const before = plan.read.get(id);
    if (before === undefined || (kind === 'update' && before[1] === 1)) return undefined;
    const updatedAt = stamp();
    values.push(updatedAt, before[0] as number);
    plan.write.run(values);
    const row: Row = {};
    for (let i = 0; i < plan.columns.length; i += 1) {
      const name = plan.columns[i]!;
      const at = plan.indexes[i]!;
      switch (plan.sources[i]) {
        case Source.Read: {
          const value = before[at];
          row[name] = value === null ? null : decodeValue(context.columns.get(name), value);
          break;
        }
        case Source.Patch:
          row[name] = storedValue(context, name, values[at]!);
          break;
        case Source.Clock:
          row[name] = updatedAt;
          break;
        case Source.Live:
          row[name] = decodeTombstone(0);
          break;
        case Source.Id:
          row[name] = id;
          break;
      }
    }
    return row;
  }

  private plan(context: TableContext, kind: ChangeKind, names: readonly string[]): ChangePlan {
    const last = this.last[kind];
    if (last !== undefined && last.tableId === context.id && sameNames(last.names, names)) return last;
    const key = `${kind}\u0000${context.id}\u0000${names.join('\u0000')}`;
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = this.prepare(context, kind, names);
      this.plans.set(key, plan);
    }
    this.last[kind] = plan;
    return plan;
  }

  private prepare(context: TableContext, kind: ChangeKind, names: readonly string[]): ChangePlan {
    const table = quoteIdentifier(context.definition.name);
    // `*` as it is now: a migration may have left columns no longer declared, which a read still returns.
    const columns = this.db.prepare(`SELECT * FROM ${table}`).columns().map((column) => column.name);
    const patched = new Map(names.map((name, i) => [name, i]));
    const kept = columns.filter((name) => name !== 'id' && name !== 'updated_at' && name !== 'deleted' && !patched.has(name));
    const sources: Source[] = [];
    const indexes: number[] = [];
    for (const name of columns) {
      const [source, at] = sourceOf(name, patched.get(name), kept);
      sources.push(source);
      indexes.push(at);
    }
    const read = this.db
      .prepare<[string], unknown[]>(`SELECT rowid, deleted${kept.map((name) => `, ${quoteIdentifier(name)}`).join('')} FROM ${table} WHERE id = ?`)
      .raw(true);
    const sets = [...names, 'updated_at'].map((name) => `${quoteIdentifier(name)} = ?`);
    if (kind === 'restore') sets.unshift('deleted = 0');
    const write = this.db.prepare<[SqliteValue[]]>(`UPDATE ${table} SET ${sets.join(', ')} WHERE rowid = ?`);
    return { tableId: context.id, names, read, write, columns, sources, indexes };
  }
}

/** Where column `name` of the returned row comes from, and its index there: `read` gives rowid and deleted first. */
function sourceOf(name: string, patchIndex: number | undefined, kept: readonly string[]): [Source, number] {
  if (patchIndex !== undefined) return [Source.Patch, patchIndex];
  if (name === 'id') return [Source.Id, 0];
  if (name === 'updated_at') return [Source.Clock, 0];
  if (name === 'deleted') return [Source.Live, 0];
  return [Source.Read, 2 + kept.indexOf(name)];
}

/** A bound value as a read would return it: bigints come back as numbers (the store reads without safe integers). */
function storedValue(context: TableContext, name: string, value: SqliteValue): unknown {
  if (value === null) return null;
  return decodeValue(context.columns.get(name), typeof value === 'bigint' ? Number(value) : value);
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
