import { describe, expect, it } from 'vitest';
import {
  compareIds,
  compareRanges,
  cutRange,
  rangeHash,
  type CloudDigestSource,
  type DigestRow,
  type IdRange,
  type RangeDigest,
} from '../../src/recovery/index.js';

/** Rows in byte-wise id order, as both sides read them. */
function sorted(rows: readonly DigestRow[]): DigestRow[] {
  return [...rows].sort((a, b) => compareIds(a.id, b.id));
}

function inRange(rows: readonly DigestRow[], [lo, hi]: IdRange): DigestRow[] {
  return rows.filter((row) => (lo === null || compareIds(row.id, lo) >= 0) && (hi === null || compareIds(row.id, hi) < 0));
}

/**
 * The cloud's digest rules (eq_digest / eq_digest_rows) over rows held in memory, with
 * small limits so a few hundred rows exercise every level of the splitting.
 */
class RulesOfTheCloud implements CloudDigestSource {
  readonly asked: IdRange[][] = [];
  listedRows = 0;

  constructor(
    private readonly rows: DigestRow[],
    private readonly limits = { maxHashRows: 64, leafRows: 8, fanOut: 4 },
  ) {}

  async digest(ranges: readonly IdRange[]): Promise<RangeDigest[]> {
    this.asked.push([...ranges]);
    return ranges.map((range) => {
      const rows = inRange(this.rows, range);
      const step = Math.ceil(rows.length / this.limits.fanOut);
      return {
        count: rows.length,
        hash: rows.length <= this.limits.maxHashRows ? rangeHash(rows) : null,
        splits: rows.length > this.limits.leafRows ? rows.filter((_, index) => index > 0 && index % step === 0).map((row) => row.id) : null,
      };
    });
  }

  async list(ranges: readonly IdRange[]): Promise<{ rows: DigestRow[]; more: boolean }[]> {
    return ranges.map((range) => {
      const rows = inRange(this.rows, range);
      this.listedRows += rows.length;
      return { rows, more: false };
    });
  }
}

function rows(count: number): DigestRow[] {
  return sorted(
    Array.from({ length: count }, (_, index) => ({
      id: `id-${String(index * 7919 % 100_003).padStart(6, '0')}`,
      updatedAt: `1718000000000-000000-till`,
      deleted: false,
      serverVersion: index + 1,
    })),
  );
}

/** Limits far below the protocol's, so that a few dozen rows need several calls, splits and listings. */
const smallLimits = { maxRanges: 4, leafRows: 8, maxListRanges: 2 };

async function compare(cloudRows: DigestRow[], localRows: DigestRow[]) {
  const cloud = new RulesOfTheCloud(cloudRows);
  const leaves: { range: IdRange; cloud: readonly DigestRow[]; local: DigestRow[] }[] = [];
  const local = sorted(localRows);
  const comparison = await compareRanges({
    cloud,
    local: (range) => {
      const held = inRange(local, range);
      return { count: held.length, hash: rangeHash(held) };
    },
    onLeaf: (range, listed) => {
      leaves.push({ range, cloud: listed, local: inRange(local, range) });
    },
    limits: smallLimits,
  });
  const differing = new Set<string>();
  for (const leaf of leaves) {
    const byId = new Map(leaf.local.map((row) => [row.id, row]));
    for (const row of leaf.cloud) {
      const held = byId.get(row.id);
      if (held === undefined || held.updatedAt !== row.updatedAt) differing.add(row.id);
      byId.delete(row.id);
    }
    for (const id of byId.keys()) differing.add(id);
  }
  return { comparison, leaves, differing, cloud };
}

describe('comparing by hash ranges', () => {
  it('a table held alike on both sides costs one call when the cloud can hash it whole', async () => {
    const all = rows(50);
    const { comparison, leaves } = await compare(all, all);
    expect(comparison).toMatchObject({ equalRows: 50, calls: 1, ranges: 1 });
    expect(leaves).toEqual([]);
  });

  it('a larger one is cut until its parts can be hashed, and nothing is listed', async () => {
    const all = rows(500);
    const { comparison, leaves, cloud } = await compare(all, all);
    // 500 rows > 64 hashable: 4 parts of 125, then 16 of about 32, each hashed and equal.
    expect(comparison).toMatchObject({ equalRows: 500, ranges: 1 + 4 + 16 });
    expect(leaves).toEqual([]);
    expect(cloud.listedRows).toBe(0);
  });

  it('narrows 500 rows down to the few that differ, listing only small ranges', async () => {
    const all = rows(500);
    const lacking = all[17]!;
    const extra = all[250]!;
    const edited = all[480]!;
    const cloudRows = all.filter((row) => row !== lacking).map((row) => (row === edited ? { ...row, updatedAt: '1718000000001-000000-office' } : row));
    const localRows = all.filter((row) => row !== extra);
    const { differing, cloud, comparison } = await compare(cloudRows, localRows);
    expect([...differing].sort()).toEqual([lacking.id, extra.id, edited.id].sort());
    // Three leaves of at most 8 cloud rows were listed, not the table; every call stayed within its batch limit.
    expect(cloud.listedRows).toBeLessThanOrEqual(3 * 8);
    expect(cloud.asked.every((batch) => batch.length <= 4)).toBe(true);
    expect(comparison.equalRows).toBeGreaterThan(450);
  });

  it('a cloud that lost everything is one leaf: the device lists its own rows against nothing', async () => {
    const { leaves, differing, comparison } = await compare([], rows(300));
    expect(comparison.calls).toBe(2);
    expect(leaves).toHaveLength(1);
    expect(leaves[0]!.range).toEqual([null, null]);
    expect(differing.size).toBe(300);
  });

  it('a device that holds nothing finds every range of the cloud to pull', async () => {
    const { differing } = await compare(rows(300), []);
    expect(differing.size).toBe(300);
  });
});

describe('cutRange', () => {
  it('cuts at the given ids, open ends kept', () => {
    expect(cutRange([null, null], ['g', 'p'])).toEqual([
      [null, 'g'],
      ['g', 'p'],
      ['p', null],
    ]);
    expect(cutRange(['a', 'z'], ['m'])).toEqual([
      ['a', 'm'],
      ['m', 'z'],
    ]);
  });

  it('refuses cuts outside the range or out of order, which could loop forever', () => {
    expect(() => cutRange(['b', 'y'], ['a'])).toThrow(/outside it or out of order/);
    expect(() => cutRange(['b', 'y'], ['m', 'k'])).toThrow(/outside it or out of order/);
    expect(() => cutRange(['b', 'y'], ['b'])).toThrow(/outside it or out of order/);
  });

  it('orders ids byte-wise, as SQLite and Postgres COLLATE "C" do', () => {
    // UTF-8 bytes keep code point order; JavaScript's < compares UTF-16 units, where a surrogate (0xD83D) sorts below 0xFF5E.
    expect(compareIds('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect('\uff5e' < '\u{1f600}').toBe(false);
  });
});
