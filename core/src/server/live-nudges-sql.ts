import { LIVE_PUSH_EVENT, LIVE_TOPIC_PREFIX } from '../remote/remote-protocol.js';
import { PRIVATE_SCHEMA } from './sql-text.js';

const s = PRIVATE_SCHEMA;

/**
 * The policy on `realtime.messages` that lets a device join its own tenant's channel, and no other.
 *
 * @example
 * await pg.query(`select 1 from pg_policies where schemaname = 'realtime' and policyname = $1`, [LIVE_CHANNEL_POLICY]);
 */
export const LIVE_CHANNEL_POLICY = 'equinox_tenant_reads_its_channel';

/**
 * Announces a push that applied rows on the caller's tenant channel: Supabase's Broadcast
 * from the database (`realtime.send`, private), delivered once the push commits. The
 * tenant comes from the caller's token, never from an argument, so no caller can nudge
 * another tenant's devices. Where `realtime.send` is missing (a cloud without Realtime)
 * it does nothing, and a failing announcement is swallowed in its own subtransaction: a
 * nudge is a hint the devices' interval makes up for, and a push must never fail for it.
 * Security definer (as the owner) because devices may not write `realtime.messages`.
 */
const ANNOUNCE_PUSH = `create or replace function ${s}.announce_push(p_table text) returns void
language plpgsql volatile security definer set search_path = '' as $eq$
declare
  v_tenant text := ${s}.jwt_tenant();
begin
  if v_tenant is null or pg_catalog.to_regprocedure('realtime.send(jsonb,text,text,boolean)') is null then
    return;
  end if;
  begin
    perform realtime.send(pg_catalog.jsonb_build_object('table', p_table), '${LIVE_PUSH_EVENT}', '${LIVE_TOPIC_PREFIX}' || v_tenant, true);
  exception when others then
    null; -- see above: the push stands, the devices' interval brings its rows
  end;
end
$eq$;`;

/**
 * Supabase's Realtime Authorization for the tenant channels: a device may join a private
 * channel when its token may select that topic's broadcast messages, so the policy lets
 * the `authenticated` role read the messages of `equinox:<its tenant>` only. Installed
 * only where the `realtime` schema exists (Supabase; the local cloud's stand-in), so the
 * same migration runs on a cloud without it. Altered in place when it exists (its oid,
 * and so a second run, change nothing). The owner role of a Supabase project may create
 * policies there; where it may not, the migration goes on with a warning and devices
 * sync by their interval.
 */
const CHANNEL_POLICY = `do $eq$
declare
  v_using text := $using$realtime.topic() = '${LIVE_TOPIC_PREFIX}' || (select ${s}.jwt_tenant()) and extension = 'broadcast'$using$;
begin
  if pg_catalog.to_regclass('realtime.messages') is null or pg_catalog.to_regprocedure('realtime.topic()') is null then
    return;
  end if;
  if exists (select 1 from pg_catalog.pg_policy
              where polrelid = 'realtime.messages'::regclass and polname = '${LIVE_CHANNEL_POLICY}') then
    execute pg_catalog.format('alter policy %I on realtime.messages to authenticated using (%s)', '${LIVE_CHANNEL_POLICY}', v_using);
  else
    execute pg_catalog.format('create policy %I on realtime.messages for select to authenticated using (%s)', '${LIVE_CHANNEL_POLICY}', v_using);
  end if;
exception when insufficient_privilege then
  raise warning 'equinox: live nudges are off: % (devices still sync by their interval)', sqlerrm
    using hint = 'Apply the migration as the role that owns realtime.messages (postgres on Supabase).';
end
$eq$;`;

/**
 * Live nudges, cloud side (DESIGN.md §4): `announce_push`, which `eq_push` calls once per
 * push that applied something, and the policy that authorises a device's channel.
 *
 * @example
 * const sql = liveNudgesSql(); // part of apiFunctionsSql()
 */
export function liveNudgesSql(): string {
  return [ANNOUNCE_PUSH, CHANNEL_POLICY].join('\n\n');
}
