import type { Database } from 'better-sqlite3';
import { DeclarationError, quoteIdentifier, type PluginDefinition, type ViewDefinition } from '../declarations/index.js';
import { StoreError } from './store-error.js';
import { tablesReadBy } from './view-reads.js';

/**
 * The mark core puts in the SQL of each view it creates, naming the plugin that
 * declared it. SQLite keeps a CREATE statement's text as written, comment included, so
 * the schema itself tells on the next open which views are whose: a changed one is
 * replaced, one no longer declared is dropped, and another plugin's is never taken over.
 * (A plugin name cannot contain `*`, so it cannot end the comment.)
 */
const OWNER_MARK = /^CREATE VIEW "[^"]+" \/\* equinox view of plugin (\S+) \*\//;

/**
 * The CREATE VIEW statement of a declared view, with its owner's mark after the name.
 *
 * @example
 * db.prepare(createViewSql({ name: 'totals', plugin: 'orders', select: 'SELECT 1 AS one' })).run();
 */
export function createViewSql(view: ViewDefinition): string {
  return `CREATE VIEW ${quoteIdentifier(view.name)} /* equinox view of plugin ${view.plugin} */ AS\n${view.select}`;
}

/**
 * Makes one plugin's views in the file match its declaration, inside the store's open
 * transaction and after every table exists: a view whose SQL differs is dropped and
 * created again, a view of that name core did not create (an earlier version of the
 * plugin made it with its own SQL) is replaced, a view the plugin no longer declares is
 * dropped. Then each view must read only the plugin's own tables, synced or local, as
 * `EXPLAIN` shows them; anything else is refused with a `DeclarationError` naming the
 * plugin, the view and what it reads. Nothing is touched when all is as declared, so
 * other connections keep their compiled statements.
 *
 * @example
 * db.transaction(() => installViews(db, plugin)).immediate();
 */
export function installViews(db: Database, plugin: PluginDefinition): void {
  const existing = db.prepare(`SELECT name, type, sql FROM sqlite_schema WHERE type IN ('view', 'table')`).all() as SchemaObject[];
  const byName = new Map(existing.map((object) => [object.name, object]));
  const declared = new Set(plugin.views.map((view) => view.name));
  for (const object of existing) {
    if (object.type === 'view' && ownerOf(object) === plugin.name && !declared.has(object.name)) db.exec(`DROP VIEW ${quoteIdentifier(object.name)}`);
  }
  for (const view of plugin.views) {
    const sql = createViewSql(view);
    const current = byName.get(view.name);
    if (current?.sql === sql) continue;
    if (current !== undefined) {
      if (current.type !== 'view') throw new StoreError(`plugin "${plugin.name}" view "${view.name}": a ${current.type} of that name is already in this database`);
      const owner = ownerOf(current);
      if (owner !== undefined && owner !== plugin.name) {
        throw new StoreError(`plugin "${plugin.name}" declares view "${view.name}", which this database keeps for plugin "${owner}"`);
      }
      db.exec(`DROP VIEW ${quoteIdentifier(view.name)}`);
    }
    // prepare().run(), not exec(): a `select` smuggling in a second statement is refused.
    run(db, plugin, view, sql);
  }
  const own = new Set([...plugin.tables, ...plugin.localTables].map((table) => table.name));
  for (const view of plugin.views) checkReads(db, plugin, view, own);
}

interface SchemaObject {
  readonly name: string;
  readonly type: string;
  readonly sql: string | null;
}

function ownerOf(object: SchemaObject): string | undefined {
  return object.sql === null ? undefined : OWNER_MARK.exec(object.sql)?.[1];
}

function run(db: Database, plugin: PluginDefinition, view: ViewDefinition, sql: string): void {
  try {
    db.prepare(sql).run();
  } catch (error) {
    throw refused(plugin, view, `SQLite cannot create it: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

function checkReads(db: Database, plugin: PluginDefinition, view: ViewDefinition, own: ReadonlySet<string>): void {
  let reads: { tables: string[]; unnamed: string[] };
  try {
    reads = tablesReadBy(db, view.name);
  } catch (error) {
    throw refused(plugin, view, `SQLite cannot read it: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const foreign = reads.tables.filter((table) => !own.has(table));
  if (foreign.length === 0 && reads.unnamed.length === 0) return;
  const what = [...foreign.map((table) => `"${table}"`), ...reads.unnamed].join(', ');
  throw refused(plugin, view, `reads ${what}; a view may read only its plugin's own tables (${[...own].join(', ') || 'none declared'})`);
}

function refused(plugin: PluginDefinition, view: ViewDefinition, message: string, cause?: unknown): DeclarationError {
  const error = new DeclarationError([{ plugin: plugin.name, table: view.name, kind: 'view', field: 'select', message }]);
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause });
  return error;
}
