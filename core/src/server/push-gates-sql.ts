import { PRIVATE_SCHEMA, publicTable } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/**
 * Push gates: checks a plugin registers so the cloud, not a device's good will, decides
 * whether a caller's uploads go in (a subscription, say). A plugin registers one in its server
 * SQL:
 *
 * ```sql
 * insert into equinox.push_gates (name, function_name) values ('acme.subscription', 'acme_plugin.push_gate')
 *   on conflict (name) do update set function_name = excluded.function_name;
 * ```
 *
 * A gate is `function(p_table text) returns void` that refuses with
 * `raise exception '<the caller's own problem>' using errcode = 'EQ402'` (`PUSH_PAUSED_CODE`,
 * which the engine shows as "uploads paused: <message>").
 * `run_push_gates` runs every gate, by name, at the start of `eq_push` and from a
 * statement trigger on every synced table, so a direct REST write is gated too.
 *
 * `run_push_gates` is security definer: the registry is not readable by API roles, and a
 * gate reads what the caller may not (the plugin's private tables). A registry row names a function
 * (`schema.name`, lower case) and is resolved to one (`to_regprocedure`) before it is
 * called, so no text of the row reaches SQL; a row naming no function refuses every push
 * rather than letting them all in.
 *
 * @example
 * const sql = pushGatesSql(); // part of foundationSql()
 */
export function pushGatesSql(): string {
  return `-- Push gates: plugins' checks on every upload (see pushGatesSql).
create table if not exists ${s}.push_gates (
  name text primary key,
  function_name text not null
);
revoke all on table ${s}.push_gates from public, anon, authenticated, service_role;

create or replace function ${s}.run_push_gates(p_table text) returns void
language plpgsql volatile security definer set search_path = '' as $eq$
declare
  v_gate record;
  v_function regprocedure;
begin
  for v_gate in select g.name, g.function_name from ${s}.push_gates g order by g.name collate "C" loop
    -- A plain (schema-qualified) name only: anything else is no name, not SQL to parse.
    v_function := case when v_gate.function_name ~ '^[a-z_][a-z0-9_]*([.][a-z_][a-z0-9_]*)?$'
                       then pg_catalog.to_regprocedure(v_gate.function_name || '(text)') end;
    if v_function is null then
      raise exception 'push gate "%" names no function %(text)', v_gate.name, v_gate.function_name
        using errcode = 'undefined_function', hint = 'Apply the migration of the plugin that registers the gate.';
    end if;
    execute pg_catalog.format('select %s($1)', v_function::oid::regproc) using p_table;
  end loop;
end
$eq$;

-- The trigger behind the gate on direct writes. Devices write as authenticated; the
-- service role and the owner (back office, migrations) are never gated.
create or replace function ${s}.gate_writes() returns trigger
language plpgsql volatile security invoker set search_path = '' as $eq$
begin
  if current_user = 'authenticated' then
    perform ${s}.run_push_gates(tg_table_name);
  end if;
  return null;
end
$eq$;
revoke all on function ${s}.gate_writes() from public, anon, authenticated, service_role;`;
}

/**
 * The statement trigger that gates every insert or update of a synced table, whether
 * it comes through `eq_push` or plain REST.
 *
 * @example
 * const sql = gateTriggerSql('clients');
 */
export function gateTriggerSql(table: string): string {
  return `create or replace trigger _eq_gate before insert or update on ${publicTable(table)}
  for each statement execute function ${s}.gate_writes();`;
}
