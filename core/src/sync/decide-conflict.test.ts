import { describe, expect, it } from 'vitest';
import { decideConflict } from './decide-conflict.js';

const earlier = { id: 'r', updated_at: '1700000000000-0000-dev-a', n: 1 };
const later = { id: 'r', updated_at: '1700000000001-0000-dev-b', n: 2 };

describe('decideConflict', () => {
  it('follows each declared strategy', () => {
    expect(decideConflict({ table: 't', strategy: 'LocalWins', local: earlier, remote: later })).toEqual({ pick: 'local' });
    expect(decideConflict({ table: 't', strategy: 'RemoteWins', local: later, remote: earlier })).toEqual({ pick: 'remote' });
    expect(decideConflict({ table: 't', strategy: 'Manual', local: later, remote: earlier })).toEqual({ pick: 'manual' });
  });

  it('keeps the later clock under LastWriteWins, whichever side it is on', () => {
    expect(decideConflict({ table: 't', strategy: 'LastWriteWins', local: later, remote: earlier })).toEqual({ pick: 'local' });
    expect(decideConflict({ table: 't', strategy: 'LastWriteWins', local: earlier, remote: later })).toEqual({ pick: 'remote' });
  });

  it('breaks an equal wall time by counter, then device id', () => {
    const a = { updated_at: '1700000000000-0001-dev-a' };
    const b = { updated_at: '1700000000000-0001-dev-b' };
    expect(decideConflict({ table: 't', strategy: 'LastWriteWins', local: b, remote: a })).toEqual({ pick: 'local' });
    expect(decideConflict({ table: 't', strategy: 'LastWriteWins', local: a, remote: b })).toEqual({ pick: 'remote' });
  });

  it("lets a plugin's resolver override the strategy", () => {
    const merged = decideConflict({
      table: 't',
      strategy: 'Manual',
      resolver: ({ local, remote }) => ({ pick: 'merged', row: { ...remote, n: Number(local.n) + Number(remote.n) } }),
      local: earlier,
      remote: later,
    });
    expect(merged).toEqual({ pick: 'merged', row: { ...later, n: 3 } });
  });
});
