import { BROADCAST_CHANNEL } from './broadcast-listener.js';

/**
 * The role that owns the stand-in `realtime` schema, as on Supabase.
 *
 * @example
 * await client.query(`select pg_has_role('equinox_owner', '${REALTIME_ADMIN_ROLE}', 'member')`);
 */
export const REALTIME_ADMIN_ROLE = 'supabase_realtime_admin';

/**
 * The part of Supabase Realtime's schema that Broadcast from the database and Realtime
 * Authorization use, installed by the superuser at start only where it is missing:
 * `realtime.messages` (row-level security on; policies for `select` decide who may read
 * a private channel's topic), `realtime.topic()` and `realtime.send(payload, event,
 * topic, private)`. `send` works as Supabase's: it runs with the caller's rights (so the
 * caller needs a role that may insert the message past row-level security, as the owner
 * role and `service_role` may), adds an `id` to the payload when it has none, reports a
 * failure as a warning instead of raising it, and, here, notifies the local cloud's
 * Realtime on `equinox_realtime` (delivered at commit). It belongs to
 * `supabase_realtime_admin`, which the owner role is a member of, so migrations run as the
 * owner may create policies on `realtime.messages`, as Supabase's `postgres` may.
 *
 * @example
 * await client.query(`${bootstrapSql(passwords)}\n${realtimeSchemaSql(OWNER_ROLE)}`);
 */
export function realtimeSchemaSql(ownerRole: string): string {
  return `
do $$
begin
  if not exists (select 1 from pg_roles where rolname = '${REALTIME_ADMIN_ROLE}') then
    create role ${REALTIME_ADMIN_ROLE} nologin noinherit;
  end if;
  if to_regnamespace('realtime') is null then
    create schema realtime authorization ${REALTIME_ADMIN_ROLE};
  end if;
  if to_regclass('realtime.messages') is null then
    create table realtime.messages (
      id bigserial primary key,
      topic text not null,
      extension text not null,
      payload jsonb,
      event text,
      private boolean default true,
      inserted_at timestamptz not null default now()
    );
    alter table realtime.messages enable row level security;
    alter table realtime.messages owner to ${REALTIME_ADMIN_ROLE};
  end if;
  if to_regprocedure('realtime.topic()') is null then
    -- Supabase's definition: the topic a policy is evaluated for.
    create function realtime.topic() returns text language sql stable as $fn$
      select nullif(current_setting('realtime.topic', true), '')::text
    $fn$;
    alter function realtime.topic() owner to ${REALTIME_ADMIN_ROLE};
  end if;
  if to_regprocedure('realtime.send(jsonb,text,text,boolean)') is null then
    create function realtime.send(payload jsonb, event text, topic text, private boolean default true)
    returns void language plpgsql as $fn$
    declare
      generated_id uuid := gen_random_uuid();
      final_payload jsonb;
    begin
      begin
        final_payload := case when payload ? 'id' then payload else jsonb_set(payload, '{id}', to_jsonb(generated_id)) end;
        perform set_config('realtime.topic', topic, true);
        insert into realtime.messages (payload, event, topic, private, extension)
        values (final_payload, event, topic, private, 'broadcast');
        perform pg_notify('${BROADCAST_CHANNEL}', json_build_object(
          'id', generated_id, 'topic', topic, 'event', event, 'payload', final_payload, 'private', private)::text);
      exception when others then
        raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
      end;
    end
    $fn$;
    alter function realtime.send(jsonb, text, text, boolean) owner to ${REALTIME_ADMIN_ROLE};
  end if;
end
$$;
grant ${REALTIME_ADMIN_ROLE} to ${ownerRole};
grant usage on schema realtime to anon, authenticated, service_role;
grant select, insert, update on realtime.messages to anon, authenticated, service_role;
grant usage on sequence realtime.messages_id_seq to anon, authenticated, service_role;
grant execute on function realtime.topic() to anon, authenticated, service_role;
`;
}
