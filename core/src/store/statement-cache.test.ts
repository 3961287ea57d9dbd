import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { limitClause, StatementCache } from './statement-cache.js';

describe('limitClause', () => {
  it('writes a non-negative integer limit into the text, and refuses anything else', () => {
    expect(limitClause(100)).toBe('LIMIT 100');
    expect(limitClause(0)).toBe('LIMIT 0');
    expect(limitClause(Number.MAX_SAFE_INTEGER)).toBe(`LIMIT ${Number.MAX_SAFE_INTEGER}`);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => limitClause(bad)).toThrow(`limit must be a non-negative integer, got ${bad}`);
    }
  });

  it("is what the store's statements use: none binds its LIMIT", () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const sources = readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    const bound = sources.filter((name) => /\bLIMIT\s+(\?|[@:]\w|\$\d)/.test(readFileSync(`${dir}/${name}`, 'utf8')));
    expect(sources.length).toBeGreaterThan(10);
    expect(bound).toEqual([]);
  });

  it('limits what a cached statement returns, one statement per limit', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY); INSERT INTO t (n) VALUES (1), (2), (3), (4)');
    const statements = new StatementCache(db);
    const first = (limit: number): number[] => statements.get(`first:${limit}`, `SELECT n FROM t ORDER BY n ${limitClause(limit)}`).pluck().all() as number[];
    expect(first(2)).toEqual([1, 2]);
    expect(first(3)).toEqual([1, 2, 3]);
    expect(first(2)).toEqual([1, 2]);
  });
});

describe('StatementCache', () => {
  it('keeps at most its bound, dropping the statement used least recently', () => {
    const db = new Database(':memory:');
    const statements = new StatementCache(db, 2);
    const one = statements.get('one', 'SELECT 1');
    const two = statements.get('two', 'SELECT 2');
    expect(statements.get('one', 'SELECT 1')).toBe(one);
    statements.get('three', 'SELECT 3');
    // 'two' was used least recently: it went; 'one' stayed.
    expect(statements.get('one', 'SELECT 1')).toBe(one);
    expect(statements.get('two', 'SELECT 2')).not.toBe(two);
    expect(statements.get('two', 'SELECT 2').pluck().get()).toBe(2);
  });
});
