import { PUSH_EXPECTATION_CODE, SYNC_PROTOCOL_VERSION } from '../remote/remote-protocol.js';
import { PRIVATE_SCHEMA } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/**
 * `${s}.check_push_expectation(p_expect)`: what `eq_push` checks first when a device pushes
 * without probing (its `p_expect`, see `PushExpectation`). The call is refused whole,
 * before any gate runs or any row is written, with SQLSTATE `${PUSH_EXPECTATION_CODE}` when
 * the cloud is not as the device last saw it — the same tests the device makes of a probe's
 * answer (detectCloudChange): another epoch (replaced), a high-water mark below the
 * device's (rewound), a next transaction id at or below its cursors' (moved); or when it
 * speaks another sync protocol, or the token is of another tenant than the device's. The
 * refusal says only that: the device probes and finds out which. It compares the caller's
 * own expectation with what `eq_health` would tell it, so it reveals nothing a probe does not.
 *
 * @example
 * const sql = pushExpectationSql();
 */
export function pushExpectationSql(): string {
  return `create or replace function ${s}.check_push_expectation(p_expect jsonb) returns void
language plpgsql stable security invoker set search_path = '' as $eq$
declare
  v_marks jsonb;
begin
  if pg_catalog.jsonb_typeof(p_expect) is distinct from 'object' then
    raise exception 'p_expect must be a JSON object of the cloud marks the device expects' using errcode = 'invalid_parameter_value';
  end if;
  v_marks := ${s}.cloud_marks();
  if (p_expect ->> 'protocol') is distinct from '${SYNC_PROTOCOL_VERSION}'
     or (p_expect ->> 'tenant') is distinct from ${s}.jwt_tenant()
     or (p_expect ->> 'epoch') is distinct from (v_marks ->> 'epoch')
     or (p_expect ? 'high_water' and (v_marks ->> 'high_water')::numeric < (p_expect ->> 'high_water')::numeric)
     or (p_expect ? 'cursor_txid' and (v_marks ->> 'next_txid')::numeric <= (p_expect ->> 'cursor_txid')::numeric) then
    raise exception 'the cloud is not as this device last saw it: nothing was written; probe it before pushing again'
      using errcode = '${PUSH_EXPECTATION_CODE}';
  end if;
end
$eq$;`;
}

/**
 * The first statement of a push function taking `p_expect`: nothing else runs unless the
 * cloud is as the device expects.
 *
 * @example
 * const body = `begin\n${EXPECTATION_FIRST_SQL}\n  …`;
 */
export const EXPECTATION_FIRST_SQL = `  if p_expect is not null then
    perform ${s}.check_push_expectation(p_expect);
  end if;`;
