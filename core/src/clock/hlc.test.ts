import { describe, expect, it } from 'vitest';
import { compareHlc, formatHlc, isHlc, parseHlc } from './hlc.js';
import { HybridLogicalClock, type HlcStorage } from './hybrid-logical-clock.js';

const HOUR = 3_600_000;

/** A wall clock the test moves by hand. */
function manualClock(start: number): { now: () => number; set: (ms: number) => void } {
  let current = start;
  return { now: () => current, set: (ms) => (current = ms) };
}

function memoryStorage(): HlcStorage & { value: string | undefined } {
  const storage = {
    value: undefined as string | undefined,
    load: () => storage.value,
    save: (value: string) => void (storage.value = value),
  };
  return storage;
}

describe('HLC values', () => {
  it('round-trips through format and parse with fixed widths', () => {
    const value = formatHlc({ wallMs: 1_718_000_000_000, counter: 3, deviceId: 'dev-a' });
    expect(value).toBe('1718000000000-000003-dev-a');
    expect(parseHlc(value)).toEqual({ wallMs: 1_718_000_000_000, counter: 3, deviceId: 'dev-a' });
    expect(formatHlc({ wallMs: 5, counter: 0, deviceId: 'x' })).toBe('0000000000005-000000-x');
  });

  it('orders by wall time, then counter, then device id', () => {
    const a = formatHlc({ wallMs: 1000, counter: 9, deviceId: 'zzz' });
    const b = formatHlc({ wallMs: 1001, counter: 0, deviceId: 'aaa' });
    const c = formatHlc({ wallMs: 1001, counter: 10, deviceId: 'aaa' });
    const d = formatHlc({ wallMs: 1001, counter: 10, deviceId: 'bbb' });
    expect([d, c, b, a].sort(compareHlc)).toEqual([a, b, c, d]);
    expect(compareHlc(c, d)).toBeLessThan(0);
    expect(compareHlc(d, d)).toBe(0);
  });

  it('rejects malformed values and device ids', () => {
    expect(isHlc('2024-06-10T08:00:00Z')).toBe(false);
    expect(isHlc('1718000000000-000003-dev-a')).toBe(true);
    expect(() => parseHlc('12-3-x')).toThrow(/not a hybrid logical clock value/);
    expect(() => formatHlc({ wallMs: 1, counter: 0, deviceId: 'has space' })).toThrow(/device id "has space"/);
    expect(() => formatHlc({ wallMs: 1, counter: 1_000_000, deviceId: 'x' })).toThrow(/counter/);
  });
});

describe('HybridLogicalClock', () => {
  it('ticks strictly upwards within one millisecond', () => {
    const wall = manualClock(1_000_000);
    const clock = new HybridLogicalClock({ deviceId: 'dev-a', now: wall.now });
    const values = Array.from({ length: 5 }, () => clock.tick());
    expect([...values].sort(compareHlc)).toEqual(values);
    expect(new Set(values).size).toBe(5);
    expect(parseHlc(values[4] as string)).toMatchObject({ wallMs: 1_000_000, counter: 4 });
  });

  it('stays monotonic when the wall clock jumps back an hour', () => {
    const wall = manualClock(10 * HOUR);
    const clock = new HybridLogicalClock({ deviceId: 'dev-a', now: wall.now });
    const before = clock.tick();
    wall.set(9 * HOUR);
    const during = [clock.tick(), clock.tick()];
    expect(compareHlc(during[0] as string, before)).toBeGreaterThan(0);
    expect(compareHlc(during[1] as string, during[0] as string)).toBeGreaterThan(0);
    expect(parseHlc(during[1] as string).wallMs).toBe(10 * HOUR);
    wall.set(10 * HOUR + 5);
    expect(parseHlc(clock.tick())).toMatchObject({ wallMs: 10 * HOUR + 5, counter: 0 });
  });

  it('borrows the next millisecond when the counter would overflow', () => {
    const storage = memoryStorage();
    storage.value = formatHlc({ wallMs: 7000, counter: 999_999, deviceId: 'dev-a' });
    const clock = new HybridLogicalClock({ deviceId: 'dev-a', now: () => 7000, storage });
    expect(parseHlc(clock.tick())).toMatchObject({ wallMs: 7001, counter: 0 });
  });

  it('receives a remote clock ahead of it and issues later values', () => {
    const clock = new HybridLogicalClock({ deviceId: 'dev-a', now: () => 1000 });
    const remote = formatHlc({ wallMs: 1000 + HOUR, counter: 7, deviceId: 'dev-b' });
    const merged = clock.receive(remote);
    expect(parseHlc(merged)).toEqual({ wallMs: 1000 + HOUR, counter: 8, deviceId: 'dev-a' });
    expect(compareHlc(clock.tick(), remote)).toBeGreaterThan(0);
  });

  it('ignores an older remote clock except to move forward', () => {
    const clock = new HybridLogicalClock({ deviceId: 'dev-a', now: () => 5000 });
    const local = clock.tick();
    const merged = clock.receive(formatHlc({ wallMs: 10, counter: 3, deviceId: 'dev-b' }));
    expect(compareHlc(merged, local)).toBeGreaterThan(0);
    expect(parseHlc(merged).wallMs).toBe(5000);
  });

  it('takes the larger counter when both clocks share the wall time', () => {
    const clock = new HybridLogicalClock({ deviceId: 'dev-a', now: () => 1 });
    clock.tick();
    const merged = clock.receive(formatHlc({ wallMs: 1, counter: 40, deviceId: 'dev-b' }));
    expect(parseHlc(merged)).toMatchObject({ wallMs: 1, counter: 41 });
  });

  it('continues from its storage, so a restart cannot go backwards', () => {
    const storage = memoryStorage();
    const wall = manualClock(2 * HOUR);
    const first = new HybridLogicalClock({ deviceId: 'dev-a', now: wall.now, storage });
    const last = first.tick();
    wall.set(HOUR);
    const restarted = new HybridLogicalClock({ deviceId: 'dev-a', now: wall.now, storage });
    expect(compareHlc(restarted.tick(), last)).toBeGreaterThan(0);
    expect(restarted.peek()).toBe(storage.value);
  });

  it('refuses a bad device id or wall clock', () => {
    expect(() => new HybridLogicalClock({ deviceId: '' })).toThrow(/device id/);
    expect(() => new HybridLogicalClock({ deviceId: 'a', now: () => Number.NaN }).tick()).toThrow(/wall clock/);
  });
});
