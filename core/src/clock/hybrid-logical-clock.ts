import { assertDeviceId, formatHlc, HLC_MAX_COUNTER, parseHlc, type Hlc } from './hlc.js';

/**
 * Where a clock keeps its last value so it stays monotonic across restarts and across
 * processes sharing one database. `load` runs before every tick, because writers on
 * other connections (database triggers) may have advanced the clock meanwhile.
 *
 * @example
 * let saved: string | undefined;
 * const storage: HlcStorage = { load: () => saved, save: (value) => (saved = value) };
 */
export interface HlcStorage {
  load(): Hlc | undefined;
  save(value: Hlc): void;
}

/**
 * Options of {@link HybridLogicalClock}.
 *
 * @example
 * const options: HybridLogicalClockOptions = { deviceId: 'dev-a', now: () => fakeNow };
 */
export interface HybridLogicalClockOptions {
  readonly deviceId: string;
  /** Physical time in ms; injectable so tests can move the wall clock. Defaults to `Date.now`. */
  readonly now?: () => number;
  readonly storage?: HlcStorage;
}

/**
 * A hybrid logical clock: close to wall time, yet never goes backwards, even when the
 * wall clock does or the process restarts, and always ahead of every clock value it
 * has received, so a change made after seeing a remote row sorts after that row.
 *
 * @example
 * const clock = new HybridLogicalClock({ deviceId: 'dev-a' });
 * const first = clock.tick();
 * clock.receive(remoteRow.updated_at);
 * const later = clock.tick(); // compareHlc(later, remoteRow.updated_at) > 0
 */
export class HybridLogicalClock {
  readonly deviceId: string;
  private readonly physicalNow: () => number;
  private readonly storage: HlcStorage | undefined;
  private wallMs = 0;
  private counter = 0;

  constructor(options: HybridLogicalClockOptions) {
    this.deviceId = assertDeviceId(options.deviceId);
    this.physicalNow = options.now ?? Date.now;
    this.storage = options.storage;
  }

  /** A new value for a local event, later than every value this clock issued or received. */
  tick(): Hlc {
    this.reload();
    const physical = this.readPhysical();
    if (physical > this.wallMs) this.set(physical, 0);
    else this.set(this.wallMs, this.counter + 1);
    return this.commit();
  }

  /** Merges a value seen on another device and returns a new local value after both. */
  receive(remote: Hlc): Hlc {
    const theirs = parseHlc(remote);
    this.reload();
    const physical = this.readPhysical();
    const wall = Math.max(this.wallMs, theirs.wallMs, physical);
    if (wall === this.wallMs && wall === theirs.wallMs) this.set(wall, Math.max(this.counter, theirs.counter) + 1);
    else if (wall === this.wallMs) this.set(wall, this.counter + 1);
    else if (wall === theirs.wallMs) this.set(wall, theirs.counter + 1);
    else this.set(wall, 0);
    return this.commit();
  }

  /** The last value issued or merged, without advancing the clock. */
  peek(): Hlc {
    this.reload();
    return formatHlc({ wallMs: this.wallMs, counter: this.counter, deviceId: this.deviceId });
  }

  private readPhysical(): number {
    const now = Math.floor(this.physicalNow());
    if (!Number.isSafeInteger(now) || now < 0) throw new RangeError(`the wall clock returned ${now}`);
    return now;
  }

  // A counter overflow borrows the next millisecond rather than breaking the fixed width.
  private set(wallMs: number, counter: number): void {
    if (counter > HLC_MAX_COUNTER) {
      this.wallMs = wallMs + 1;
      this.counter = 0;
    } else {
      this.wallMs = wallMs;
      this.counter = counter;
    }
  }

  private reload(): void {
    const stored = this.storage?.load();
    if (stored === undefined) return;
    const { wallMs, counter } = parseHlc(stored);
    if (wallMs > this.wallMs || (wallMs === this.wallMs && counter > this.counter)) {
      this.wallMs = wallMs;
      this.counter = counter;
    }
  }

  private commit(): Hlc {
    const value = formatHlc({ wallMs: this.wallMs, counter: this.counter, deviceId: this.deviceId });
    this.storage?.save(value);
    return value;
  }
}
