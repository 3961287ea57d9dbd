import { SYNC_PROTOCOL_VERSION } from '../remote/remote-protocol.js';
import { cloudMarksSql } from './cloud-marks-sql.js';
import { digestFunctionsSql } from './digest-functions-sql.js';
import { liveNudgesSql } from './live-nudges-sql.js';
import { pullFunctionSql } from './pull-function-sql.js';
import { pullManyFunctionSql, type ProbedTable } from './pull-many-function-sql.js';
import { pushFunctionSql } from './push-function-sql.js';
import { pushTablesFunctionSql } from './push-tables-function-sql.js';
import { PRIVATE_SCHEMA } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/** Every function devices reach, directly or through eq_push / eq_pull, by signature. */
const DEVICE_FUNCTIONS: readonly string[] = [
  `${s}.registered_table(text)`,
  `${s}.apply_batch(text, json, jsonb)`,
  `${s}.apply_one(text, json, jsonb)`,
  `${s}.apply_slice(text, json, jsonb)`,
  `${s}.split_slice(text, json, jsonb)`,
  `${s}.settle_failed_batch(text, json, jsonb)`,
  // Security definer, reached through each table's push step (applyFunctionSql): the versions of a push.
  `${s}.push_versions(text, bigint)`,
  // Security definer, reached through eq_push and the _eq_gate trigger of direct writes.
  `${s}.run_push_gates(text)`,
  // Security definer, reached through eq_push: announces a push on the caller's own tenant channel.
  `${s}.announce_push(text)`,
  // Reached through eq_push when the device asks for its push's echo.
  `${s}.push_echo(text, jsonb)`,
  // Reached through eq_push when the device pushes without probing first.
  `${s}.check_push_expectation(jsonb)`,
  'public.eq_push(text, json, jsonb, boolean, jsonb)',
  // Several tables' pushes in one call, each made by eq_push.
  'public.eq_push_tables(json, jsonb)',
  'public.eq_pull(text, jsonb, integer)',
  // Reached through eq_pull when a cursor carries the echoes of the device's pushes.
  `${s}.past_echoes(bigint, jsonb)`,
  // Security definer: devices read the epoch and the sequence through it, nothing else.
  `${s}.cloud_marks()`,
  'public.eq_health()',
  // A no-op sync in one request: eq_health's answer and each table's first page.
  'public.eq_pull_many(jsonb, integer)',
  'public.eq_digest(text, jsonb)',
  'public.eq_digest_rows(text, jsonb)',
];

const REGISTERED_TABLE = `create or replace function ${s}.registered_table(p_table text) returns ${s}.tables
language plpgsql stable security invoker set search_path = '' as $eq$
declare
  v_entry ${s}.tables;
begin
  select * into v_entry from ${s}.tables where name = p_table;
  if not found then
    raise exception 'table "%" is not a synced table', p_table
      using errcode = 'undefined_table', hint = 'Apply the migration compiled from the plugin that declares it.';
  end if;
  return v_entry;
end
$eq$;`;

/**
 * Answers the device's online probe. The protocol version lets it spot an outdated cloud
 * schema; `tenant` and `device` are what the cloud reads from its token (null when a
 * claim is missing), so a device can tell a token minted for someone else; `epoch`,
 * `high_water` and `next_txid` (see cloudMarksSql) let it notice a cloud replaced or
 * restored from an older backup; `scopes` has, per table with a pull scope, the value of
 * its claim in the token, so a device compares those tables on the rows the cloud shows it.
 */
const EQ_HEALTH = `create or replace function public.eq_health() returns jsonb
language sql stable security invoker set search_path = '' as $eq$
  select jsonb_build_object('ok', true, 'protocol', ${SYNC_PROTOCOL_VERSION},
                            'tenant', ${s}.jwt_tenant(), 'device', ${s}.jwt_device(),
                            'scopes', (select coalesce(jsonb_object_agg(t.name, ${s}.jwt_claim(t.scope_claim)), '{}'::jsonb)
                                         from ${s}.tables t where t.scope_claim is not null)) || ${s}.cloud_marks()
$eq$;`;

/**
 * The functions devices call over PostgREST (`eq_push`, `eq_pull`, `eq_health`,
 * `eq_pull_many`, `eq_digest`, `eq_digest_rows`) and their private helpers, with the
 * cloud's epoch and the live nudges (liveNudgesSql). All run as the caller, so row-level security decides
 * what a device reaches; Supabase's default grants (anon, service_role) are revoked, only
 * `authenticated` may execute.
 *
 * @example
 * const sql = apiFunctionsSql(plugins.flatMap((plugin) => plugin.tables));
 */
export function apiFunctionsSql(tables: readonly ProbedTable[]): string {
  const grants = DEVICE_FUNCTIONS.map(
    (signature) => `revoke all on function ${signature} from public, anon, authenticated, service_role;
grant execute on function ${signature} to authenticated;`,
  );
  return [REGISTERED_TABLE, liveNudgesSql(), pushFunctionSql(), pushTablesFunctionSql(), pullFunctionSql(), cloudMarksSql(), EQ_HEALTH, pullManyFunctionSql(tables), digestFunctionsSql(), ...grants].join('\n\n');
}
