import { describe, expect, it } from 'vitest';
import { joinTableFailures } from './table-failures.js';

describe('joinTableFailures', () => {
  it('names the tables of one cause together, once', () => {
    const expired = ['a', 'b', 'c'].map((table) => ({ table, message: `pull "${table}" failed: JWT expired` }));
    expect(joinTableFailures(expired)).toBe('pull "a", "b", "c" failed: JWT expired');
  });

  it('keeps different causes apart, in the order they came', () => {
    expect(
      joinTableFailures([
        { table: 'a', message: 'pull of "a" stopped: bad row' },
        { table: 'b', message: 'pull of "b" stopped: timeout' },
        { table: 'c', message: 'pull of "c" stopped: bad row' },
      ]),
    ).toBe('pull of "a", "c" stopped: bad row; pull of "b" stopped: timeout');
  });

  it('adds the table to a message that does not name it', () => {
    expect(joinTableFailures([{ table: 'a', message: 'boom' }, { table: 'b', message: 'boom' }])).toBe('boom ("a", "b")');
  });
});
