import type { TableDefinition } from '../declarations/index.js';
import { PRIVATE_SCHEMA, publicTable, sqlLiteral } from './sql-text.js';

/**
 * A device sees and writes only its tenant's rows, as its token's tenant claim says
 * (`equinox.jwt_tenant()`: `app_metadata`, or a hook's top-level claim; never
 * `user_metadata`). The sub-select makes Postgres evaluate the claim once per statement,
 * not per row.
 */
const TENANT_MATCHES = `tenant_id = (select ${PRIVATE_SCHEMA}.jwt_tenant())`;

type Command = 'select' | 'insert' | 'update';

/** Which writes devices may make: none on download-only tables, never an update on append-only ones. */
function commandsFor(table: TableDefinition): readonly Command[] {
  if (table.direction === 'download-only') return ['select'];
  if (table.appendOnly) return ['select', 'insert'];
  return ['select', 'insert', 'update'];
}

/**
 * Grants and row-level security policies of one table for the `authenticated` role.
 * There is deliberately no delete policy: sync never hard-deletes. Policies are
 * altered in place when they exist, so a second run leaves the catalog as it was.
 *
 * @example
 * const sql = tenantAccessSql(table);
 */
export function tenantAccessSql(table: TableDefinition): string {
  const target = publicTable(table.name);
  const allowed = commandsFor(table);
  const statements = [
    `alter table ${target} enable row level security;`,
    `revoke all on table ${target} from public, anon, authenticated;`,
    `grant ${allowed.join(', ')} on table ${target} to authenticated;`,
  ];
  for (const command of ['select', 'insert', 'update'] as const) {
    if (!allowed.includes(command)) statements.push(`drop policy if exists ${policyName(command)} on ${target};`);
  }
  statements.push(`do $eq$
begin
${allowed.map((command) => upsertPolicy(target, command)).join('\n')}
end
$eq$;`);
  return statements.join('\n');
}

function policyName(command: Command): string {
  return `_eq_tenant_${command}`;
}

function upsertPolicy(target: string, command: Command): string {
  const name = policyName(command);
  const using = command === 'insert' ? '' : ` using (${TENANT_MATCHES})`;
  const check = command === 'select' ? '' : ` with check (${TENANT_MATCHES})`;
  return `  if exists (select 1 from pg_catalog.pg_policy where polrelid = ${sqlLiteral(target)}::regclass and polname = ${sqlLiteral(name)}) then
    alter policy ${name} on ${target} to authenticated${using}${check};
  else
    create policy ${name} on ${target} as permissive for ${command} to authenticated${using}${check};
  end if;`;
}
