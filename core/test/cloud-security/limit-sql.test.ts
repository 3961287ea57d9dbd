import { describe, expect, it } from 'vitest';
import { definePlugin, type ColumnDefinition, type PluginDefinition, type TableDefinition } from '../../src/index.js';
import { compileServerSchema } from '../../src/server/index.js';
import { limitCheckSql, limitConstraintName } from '../../src/server/limits-sql.js';

const column = (type: ColumnDefinition['type'], limits: ColumnDefinition['limits']): ColumnDefinition => ({
  name: 'value',
  type,
  nullable: true,
  default: undefined,
  limits,
});

describe('limit constraints as SQL', () => {
  it('writes one check per limited column type, NaN and Infinity always out for reals', () => {
    expect(limitCheckSql(column('integer', { min: -5, max: 5 }))).toBe('"value" >= -5 and "value" <= 5');
    expect(limitCheckSql(column('real', {}))).toBe(`"value" <> all ('{NaN,Infinity,-Infinity}'::double precision[])`);
    expect(limitCheckSql(column('real', { max: 1e21 }))).toContain(`"value" <= '1e+21'::double precision`);
    expect(limitCheckSql(column('text', { maxLength: 12 }))).toBe('pg_catalog.char_length("value") <= 12');
    expect(limitCheckSql(column('json', { maxBytes: 100, maxDepth: 3 }))).toBe(
      'pg_catalog.octet_length("value"::text) <= 100 and equinox.json_depth("value") <= 3',
    );
    expect(limitCheckSql(column('boolean', {}))).toBeUndefined();
    expect(limitCheckSql(column('timestamp', {}))).toBeUndefined();
  });

  it('gives a hand-built definition without limits the defaults', () => {
    const bare = { ...column('integer', {}), limits: undefined } as unknown as ColumnDefinition;
    expect(limitCheckSql(bare)).toBe('"value" >= -9007199254740991 and "value" <= 9007199254740991');
  });

  it('names the column in the constraint, within 63 characters', () => {
    expect(limitConstraintName('qty')).toBe('_eq_limit_qty');
    const long = `c${'x'.repeat(62)}`;
    const name = limitConstraintName(long);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name.startsWith(`_eq_limit_${long.slice(0, 40)}`)).toBe(true);
  });

  it('refuses limits of a hand-built definition that are not numbers', () => {
    const plugin = definePlugin({ name: 'limits-sql', version: '1.0.0', tables: [{ name: 'things', columns: { qty: { type: 'integer' } }, strategy: 'Manual' }] });
    const table = plugin.tables[0] as TableDefinition;
    const tampered: PluginDefinition = {
      ...plugin,
      tables: [{ ...table, columns: [{ ...(table.columns[0] as ColumnDefinition), limits: { max: '1) or (true' as unknown as number } }] }],
    };
    expect(() => compileServerSchema([tampered])).toThrow(TypeError);
    expect(() => limitCheckSql(column('real', { min: Number.NaN }))).toThrow(TypeError);
  });
});
