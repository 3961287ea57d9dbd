import { describe, expect, it } from 'vitest';
import { PushEchoes } from './push-echoes.js';

describe('PushEchoes', () => {
  it('chains the echoes of pushes that followed one another, whatever order they were told in', () => {
    const echoes = new PushEchoes();
    echoes.add('clients', [52, 60]);
    echoes.add('clients', [40, 52]);
    echoes.add('clients', [60, 75]);
    expect(echoes.take('clients')).toEqual([[40, 75]]);
  });

  it('keeps apart echoes with someone else’s write between them, and tables apart', () => {
    const echoes = new PushEchoes();
    echoes.add('clients', [40, 52]);
    echoes.add('clients', [55, 60]);
    echoes.add('notes', [7, 9]);
    expect(echoes.take('clients')).toEqual([[40, 52], [55, 60]]);
    expect(echoes.take('notes')).toEqual([[7, 9]]);
  });

  it('forgets what it handed over, and has nothing for a table without pushes', () => {
    const echoes = new PushEchoes();
    echoes.add('clients', [1, 2]);
    echoes.take('clients');
    expect(echoes.take('clients')).toEqual([]);
    expect(echoes.take('notes')).toEqual([]);
  });

  it('hands over at most 64 echoes of a table', () => {
    const echoes = new PushEchoes();
    for (let i = 0; i < 100; i += 1) echoes.add('clients', [i * 10, i * 10 + 5]);
    expect(echoes.take('clients')).toHaveLength(64);
  });
});
