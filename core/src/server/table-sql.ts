import { quoteIdentifier, type IndexDefinition, type TableDefinition } from '../declarations/index.js';
import { columnSql } from './column-sql.js';
import { tenantAccessSql } from './policy-sql.js';
import { engineObjectName, PRIVATE_SCHEMA, publicTable } from './sql-text.js';

/**
 * Everything one synced table needs in the cloud: the table with its system columns,
 * declared columns added when missing (so a newer declaration extends an existing
 * table), indexes, the version-stamping trigger, append-only protection and tenant
 * access. Every statement is idempotent.
 *
 * @example
 * const sql = tableSql(plugin.tables[0]);
 */
export function tableSql(table: TableDefinition): string {
  const target = publicTable(table.name);
  const columns = table.columns.map((column) => `  add column if not exists ${columnSql(column)}`);
  return [
    `-- ${table.name}: ${table.strategy}, ${table.direction}${table.appendOnly ? ', append-only' : ''}`,
    `create table if not exists ${target} (
  id text primary key,
  tenant_id text not null,
  updated_at text not null,
  deleted boolean not null default false,
  server_version bigint not null,
  txid xid8 not null
);`,
    `alter table ${target}\n${columns.join(',\n')};`,
    '-- Serves eq_pull: a tenant\'s rows in (txid, server_version) order, read as a range.',
    `create index if not exists ${engineObjectName(table.name, 'pull')} on ${target} (tenant_id, txid, server_version);`,
    ...table.indexes.map((index) => indexSql(table.name, index)),
    `create or replace trigger _eq_stamp before insert or update on ${target}
  for each row execute function ${PRIVATE_SCHEMA}.stamp_row();`,
    appendOnlySql(table),
    tenantAccessSql(table),
  ].join('\n');
}

/**
 * Declared indexes lead with tenant_id: uniqueness and lookups are per tenant. Unique
 * ones skip tombstones, as on the device, so a deleted row's key can be used again.
 */
function indexSql(table: string, index: IndexDefinition): string {
  const role = `${index.unique ? 'uniq' : 'idx'}_${index.columns.join('_')}`;
  const name = engineObjectName(table, role);
  const columns = ['tenant_id', ...index.columns.map((column) => quoteIdentifier(column))].join(', ');
  const partial = index.unique ? ' where not deleted' : '';
  return `create ${index.unique ? 'unique ' : ''}index if not exists ${name} on ${publicTable(table)} (${columns})${partial};`;
}

function appendOnlySql(table: TableDefinition): string {
  const target = publicTable(table.name);
  if (!table.appendOnly) {
    return `drop trigger if exists _eq_append_only on ${target};
drop trigger if exists _eq_append_only_truncate on ${target};`;
  }
  return `create or replace trigger _eq_append_only before update or delete on ${target}
  for each row execute function ${PRIVATE_SCHEMA}.refuse_change();
create or replace trigger _eq_append_only_truncate before truncate on ${target}
  for each statement execute function ${PRIVATE_SCHEMA}.refuse_change();
-- Fire even under session_replication_role = replica, which silences ordinary triggers.
alter table ${target} enable always trigger _eq_append_only, enable always trigger _eq_append_only_truncate;`;
}
