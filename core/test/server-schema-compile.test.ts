import { describe, expect, it } from 'vitest';
import { definePlugin, type PluginDefinition, type TableDefinition } from '../src/index.js';
import { compileServerSchema } from '../src/server/index.js';

const plugin = definePlugin({
  name: '@acme/equinox-notes',
  version: '1.2.0',
  serverSql: 'create or replace view public.note_titles as select id, title from public.notes',
  tables: [
    {
      name: 'notes',
      columns: {
        title: { type: 'text', nullable: false, default: "it's \\ fine" },
        pages: { type: 'integer', default: 0 },
        ratio: { type: 'real' },
        done: { type: 'boolean', default: false },
        meta: { type: 'json', default: '{}' },
        due_at: { type: 'timestamp' },
      },
      indexes: [{ columns: ['title'], unique: true }],
      strategy: 'LastWriteWins',
    },
  ],
});

/** A definition edited by hand after validation: what a careless or hostile caller could pass. */
function tampered(change: (table: TableDefinition) => Partial<TableDefinition>, pluginChange: Partial<PluginDefinition> = {}): PluginDefinition[] {
  const table = plugin.tables[0] as TableDefinition;
  return [{ ...plugin, ...pluginChange, tables: [{ ...table, ...change(table) }] }];
}

describe('compileServerSchema', () => {
  const sql = compileServerSchema([plugin]);

  it('maps each declared type to its Postgres type, with nullability and a typed literal default', () => {
    expect(sql).toContain(`add column if not exists "title" text not null default E'it''s \\\\ fine'::text`);
    expect(sql).toContain(`add column if not exists "pages" bigint default '0'::bigint`);
    expect(sql).toContain('add column if not exists "ratio" double precision');
    expect(sql).toContain(`add column if not exists "done" boolean default 'false'::boolean`);
    expect(sql).toContain(`add column if not exists "meta" jsonb default '{}'::jsonb`);
    expect(sql).toContain('add column if not exists "due_at" timestamptz');
  });

  it('adds the system columns, the pull index and tenant-scoped declared indexes', () => {
    expect(sql).toMatch(
      /id text not null,\s+tenant_id text not null,\s+updated_at text not null,\s+deleted boolean not null default false,\s+server_version bigint not null,\s+txid xid8 not null,\s+primary key \(tenant_id, id\)/,
    );
    expect(sql).toContain('on public."notes" (tenant_id, server_version)');
    expect(sql).toContain('drop index if exists public._eq_notes_pull;');
    expect(sql).toContain('create unique index if not exists _eq_notes_uniq_title on public."notes" (tenant_id, "title")');
  });

  it("appends each plugin's server SQL after the engine's", () => {
    const engineEnd = sql.indexOf('insert into equinox.tables');
    expect(engineEnd).toBeGreaterThan(0);
    expect(sql.indexOf('create or replace view public.note_titles')).toBeGreaterThan(engineEnd);
  });

  it('asks for nothing beyond what a Supabase project owner may do', () => {
    expect(sql).not.toMatch(/create\s+extension|event\s+trigger|alter\s+system|create\s+(or\s+replace\s+)?function\s+auth\./i);
    // The anon key reaches the claim functions and the json depth of limit checks, nothing else.
    const toAnonOrPublic = [...sql.matchAll(/grant[^;]*\bto\s+(anon|public)\b[^;]*;/gi)].map((match) => match[0]);
    expect(toAnonOrPublic).toEqual([
      'grant usage on schema equinox to anon, authenticated, service_role;',
      'grant execute on function equinox.jwt_claim(text) to anon, authenticated, service_role;',
      'grant execute on function equinox.jwt_tenant() to anon, authenticated, service_role;',
      'grant execute on function equinox.jwt_device() to anon, authenticated, service_role;',
      'grant execute on function equinox.json_depth(jsonb) to public;', // limit checks run it as whoever writes
    ]);
    expect(sql).not.toMatch(/\bfor\s+delete\b/i);
  });

  it('refuses DELETE and TRUNCATE on every synced table, with the append-only refusal or the tombstone guard, never both', () => {
    expect(sql).toContain(`create or replace trigger _eq_no_delete before delete on public."notes"
  for each row execute function equinox.refuse_delete();`);
    expect(sql).toContain('create or replace trigger _eq_no_truncate before truncate on public."notes"');
    expect(sql).toContain('alter table public."notes" enable always trigger _eq_no_delete, enable always trigger _eq_no_truncate;');
    expect(sql).toContain('drop trigger if exists _eq_append_only on public."notes";');
    expect(sql).toMatch(/errcode = 'restrict_violation', hint = 'Write a tombstone instead: update \.\.\. set deleted = true \(devices then apply it\)\.'/);

    const ledger = compileServerSchema(tampered(() => ({ appendOnly: true })));
    expect(ledger).toContain('create or replace trigger _eq_append_only before update or delete on public."notes"');
    expect(ledger).toContain('drop trigger if exists _eq_no_delete on public."notes";\ndrop trigger if exists _eq_no_truncate on public."notes";');
    expect(ledger).not.toMatch(/create or replace trigger _eq_no_/);
  });

  it('keeps long generated names within 63 characters and distinct', () => {
    const long = 'a'.repeat(60);
    const other = definePlugin({
      name: 'long-names',
      version: '1.0.0',
      tables: [
        { name: `${long}_x`, columns: { some_long_column_name: { type: 'text' } }, indexes: [{ columns: ['some_long_column_name'] }], strategy: 'Manual' },
        { name: `${long}_y`, columns: { some_long_column_name: { type: 'text' } }, indexes: [{ columns: ['some_long_column_name'] }], strategy: 'Manual' },
      ],
    });
    const names = [...compileServerSchema([other]).matchAll(/index if not exists (\S+) on/g)].map((match) => match[1] as string);
    expect(names).toHaveLength(4);
    expect(new Set(names).size).toBe(4);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(63);
  });

  it('refuses a table declared by two plugins', () => {
    expect(() => compileServerSchema([plugin, { ...plugin, name: 'copycat' }])).toThrow(/already declared/);
  });

  describe('refuses a malicious or malformed declaration built by hand', () => {
    const injection = 'notes"; drop table auth.users; --';
    const cases: Array<[string, PluginDefinition[], string]> = [
      ['table name', tampered(() => ({ name: injection })), 'table name "notes"; drop table auth.users; --" is not a valid identifier'],
      ['engine-reserved table name', tampered(() => ({ name: '_eq_outbox' })), 'table name "_eq_outbox" is not a valid identifier'],
      ['column name', tampered((t) => ({ columns: [...t.columns, { name: "x text); drop table notes; --", type: 'text', nullable: true, default: undefined, limits: {} }] })), 'column name "x text); drop table notes; --" is not a valid identifier'],
      ['system column', tampered((t) => ({ columns: [...t.columns, { name: 'tenant_id', type: 'text', nullable: true, default: undefined, limits: {} }] })), '"tenant_id" is a system column added by the engine'],
      ['column type', tampered((t) => ({ columns: [{ ...(t.columns[0] as TableDefinition['columns'][number]), type: 'text; drop table x' as never }] })), 'type "text; drop table x" must be one of'],
      ['default', tampered((t) => ({ columns: [{ ...(t.columns[0] as TableDefinition['columns'][number]), default: { toString: () => "'; drop table x; --" } as never }] })), 'default must be a constant string, finite number, boolean or null'],
      ['index column', tampered(() => ({ indexes: [{ columns: ['title) ; drop table x; --'], unique: false }] })), 'index column "title) ; drop table x; --" is not a valid identifier'],
      ['strategy', tampered(() => ({ strategy: "LocalWins', true); drop table x; --" as never })), 'must be one of LocalWins, RemoteWins, LastWriteWins, Manual'],
      ['direction', tampered(() => ({ direction: 'sideways' as never })), 'direction "sideways" must be one of both, upload-only, download-only'],
      ['append-only flag', tampered(() => ({ appendOnly: 'true; drop table x' as never })), 'appendOnly must be a boolean'],
      ['plugin name', tampered(() => ({}), { name: 'evil\nselect pg_sleep(1);' }), 'is not an npm-style package name'],
    ];
    for (const [field, plugins, message] of cases) {
      it(`in the ${field}`, () => {
        // The message too: a crash on the malformed value (reading a property of undefined) is a TypeError as well.
        expect(() => compileServerSchema(plugins)).toThrow(TypeError);
        expect(() => compileServerSchema(plugins)).toThrow(message);
      });
    }
  });
});
