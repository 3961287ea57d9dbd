import type { Database } from 'better-sqlite3';
import { assertIdentifier } from '../declarations/index.js';

/**
 * What a view reads, as SQLite's compiled program shows it: the tables behind every
 * b-tree it opens (an index counts as its table; views it reads are already expanded into
 * theirs), and whether it opens anything that cannot be named so (a virtual table or a
 * table-valued function such as `json_each`, another database such as `temp`). Read off
 * `EXPLAIN`, never by parsing the SQL text, so aliases, subqueries, CTEs and views of
 * views cannot hide a table.
 *
 * @example
 * const { tables, unnamed } = tablesReadBy(db, 'clients_by_city'); // { tables: ['clients'], unnamed: [] }
 */
export function tablesReadBy(db: Database, view: string): { tables: string[]; unnamed: string[] } {
  const program = db.prepare(`EXPLAIN SELECT * FROM "${assertIdentifier(view, 'view')}"`).all() as ExplainRow[];
  const byRootPage = new Map<number, string>(
    (db.prepare(`SELECT rootpage, tbl_name FROM sqlite_schema WHERE rootpage > 0`).all() as { rootpage: number; tbl_name: string }[]).map(
      (row) => [row.rootpage, row.tbl_name],
    ),
  );
  // sqlite_schema does not list itself: it is page 1 of the main database.
  byRootPage.set(1, 'sqlite_schema');
  const tables = new Set<string>();
  const unnamed = new Set<string>();
  for (const step of program) {
    if (step.opcode === 'VOpen') unnamed.add('a virtual table or table-valued function');
    if (!OPENS_BTREE.has(step.opcode)) continue;
    if (step.p3 !== 0) {
      unnamed.add(step.p3 === 1 ? 'the temp database' : 'an attached database');
      continue;
    }
    tables.add(byRootPage.get(step.p2) ?? `root page ${step.p2}`);
  }
  return { tables: [...tables].sort(), unnamed: [...unnamed] };
}

/** The opcodes whose P2 is the root page of a b-tree read (or written) and P3 its database. */
const OPENS_BTREE = new Set(['OpenRead', 'OpenWrite', 'ReopenIdx']);

interface ExplainRow {
  readonly opcode: string;
  readonly p2: number;
  readonly p3: number;
}
