import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildChain } from '../../test/chain-fixtures.js';
import { CloudMarks, compareWithCloud, generateInstallationKeyPair, marksOf, type FiscalRecord } from '../index.js';

const keys = generateInstallationKeyPair();
const mine = buildChain(keys, 4);
const theirs = buildChain(generateInstallationKeyPair(), 3, { installation_id: 'till-2', series: 'B-' });
const none = new Map();

describe('compareWithCloud', () => {
  it('holds when both copies agree; this installation\'s links the cloud lacks are pending', () => {
    expect(compareWithCloud({ own: 'till-1', device: [...mine, ...theirs], cloud: [...mine, ...theirs], marks: none })).toEqual({ brokenAt: undefined, pending: 0 });
    expect(compareWithCloud({ own: 'till-1', device: mine, cloud: mine.slice(0, 2), marks: none })).toEqual({ brokenAt: undefined, pending: 2 });
    // Another installation's links the device has not pulled yet are no fault either.
    expect(compareWithCloud({ own: 'till-1', device: [...mine, ...theirs.slice(0, 1)], cloud: [...mine, ...theirs], marks: none }).brokenAt).toBeUndefined();
  });

  it('finds a tail the cloud held and lost', () => {
    const marks = marksOf(mine.slice(0, 3));
    expect(compareWithCloud({ own: 'till-1', device: mine, cloud: mine.slice(0, 2), marks }).brokenAt).toEqual({
      where: 'cloud', chain: 'till-1', index: 3, expected: mine[2]?.hash, found: 'none', reason: 'missing-in-cloud',
    });
    // The device pulled till-2's three links from the cloud: the cloud held them.
    expect(compareWithCloud({ own: 'till-1', device: theirs, cloud: theirs.slice(0, 1), marks: none }).brokenAt).toMatchObject({
      chain: 'till-2', index: 2, reason: 'missing-in-cloud',
    });
    // A registered key means the cloud held a first link.
    expect(compareWithCloud({ own: 'till-1', device: mine, cloud: [], marks: none, registered: new Set(['till-1']) }).brokenAt).toMatchObject({
      index: 1, reason: 'missing-in-cloud',
    });
  });

  it('finds links of this installation the device lost', () => {
    expect(compareWithCloud({ own: 'till-1', device: mine.slice(0, 3), cloud: mine, marks: none }).brokenAt).toEqual({
      where: 'device', chain: 'till-1', index: 4, expected: mine[3]?.hash, found: 'none', reason: 'missing-on-device',
    });
  });

  it('finds copies that differ at a position, or differ from what was seen', () => {
    const other = buildChain(keys, 4, { gross_total: '99.00' });
    expect(compareWithCloud({ own: 'till-1', device: mine, cloud: other, marks: none }).brokenAt).toMatchObject({
      index: 1, reason: 'differs', expected: mine[0]?.hash, found: other[0]?.hash,
    });
    const seen = new Map([['till-1', { links: 2, lastHash: 'F'.repeat(64) }]]);
    expect(compareWithCloud({ own: 'till-1', device: [], cloud: mine, marks: seen }).brokenAt).toMatchObject({
      index: 2, reason: 'differs', expected: 'F'.repeat(64), found: mine[1]?.hash,
    });
  });
});

describe('CloudMarks', () => {
  it('keeps the longest chain seen per installation, in a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'equinox-marks-'));
    const marks = new CloudMarks(dir);
    expect(marks.read()).toEqual(new Map());
    marks.raise(marksOf([...mine, ...theirs.slice(0, 1)]));
    marks.raise(marksOf(mine.slice(0, 2) as FiscalRecord[]));
    expect(new CloudMarks(dir).read()).toEqual(
      new Map([
        ['till-1', { links: 4, lastHash: mine[3]?.hash }],
        ['till-2', { links: 1, lastHash: theirs[0]?.hash }],
      ]),
    );
    writeFileSync(marks.path, '{ damaged');
    expect(marks.read()).toEqual(new Map());
  });
});
