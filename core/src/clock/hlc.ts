/**
 * A hybrid logical clock value as text: `<wall ms, 13 digits>-<counter, 6 digits>-<device id>`,
 * e.g. `1718000000000-000003-0190a1b2-...`. Every part before the device id has a fixed
 * width, so byte-wise string order (JavaScript `<`, SQLite's default BINARY collation,
 * Postgres `COLLATE "C"`) is clock order, and the device id breaks ties between devices
 * that ticked in the same millisecond.
 *
 * @example
 * const stamp: Hlc = clock.tick(); // '1718000000000-000000-dev-a'
 */
export type Hlc = string;

/**
 * The parts of an {@link Hlc}.
 *
 * @example
 * const { wallMs, deviceId }: HlcParts = parseHlc(row.updated_at);
 */
export interface HlcParts {
  readonly wallMs: number;
  readonly counter: number;
  readonly deviceId: string;
}

/**
 * Digits of the wall-clock part: milliseconds since 1970, enough until the year 2286.
 *
 * @example
 * value.slice(0, HLC_WALL_DIGITS); // the wall-clock part
 */
export const HLC_WALL_DIGITS = 13;

/**
 * Digits of the counter part.
 *
 * @example
 * String(counter).padStart(HLC_COUNTER_DIGITS, '0');
 */
export const HLC_COUNTER_DIGITS = 6;

/**
 * The largest counter; one more moves the clock to the next millisecond instead.
 *
 * @example
 * counter < HLC_MAX_COUNTER; // still room in this millisecond
 */
export const HLC_MAX_COUNTER = 999_999;

/**
 * What a device id may contain: it is embedded in every clock value and compared as text.
 *
 * @example
 * DEVICE_ID_PATTERN.test('0190a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b'); // true
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

const HLC_PATTERN = /^(\d{13})-(\d{6})-([A-Za-z0-9._:-]{1,64})$/;

/**
 * Writes clock parts as an {@link Hlc}.
 *
 * @example
 * formatHlc({ wallMs: 1718000000000, counter: 3, deviceId: 'dev-a' }); // '1718000000000-000003-dev-a'
 */
export function formatHlc(parts: HlcParts): Hlc {
  if (!Number.isSafeInteger(parts.wallMs) || parts.wallMs < 0 || parts.wallMs >= 10 ** HLC_WALL_DIGITS) {
    throw new RangeError(`HLC wall time ${parts.wallMs} is out of range`);
  }
  if (!Number.isSafeInteger(parts.counter) || parts.counter < 0 || parts.counter > HLC_MAX_COUNTER) {
    throw new RangeError(`HLC counter ${parts.counter} is out of range`);
  }
  assertDeviceId(parts.deviceId);
  const wall = String(parts.wallMs).padStart(HLC_WALL_DIGITS, '0');
  const counter = String(parts.counter).padStart(HLC_COUNTER_DIGITS, '0');
  return `${wall}-${counter}-${parts.deviceId}`;
}

/**
 * Reads an {@link Hlc}; throws a `TypeError` naming the bad value.
 *
 * @example
 * parseHlc('1718000000000-000003-dev-a'); // { wallMs: 1718000000000, counter: 3, deviceId: 'dev-a' }
 */
export function parseHlc(value: string): HlcParts {
  const match = HLC_PATTERN.exec(value);
  if (match === null) throw new TypeError(`"${value}" is not a hybrid logical clock value (wall-counter-device)`);
  return { wallMs: Number(match[1]), counter: Number(match[2]), deviceId: match[3] as string };
}

/**
 * Whether `value` is a well-formed {@link Hlc}.
 *
 * @example
 * isHlc('1718000000000-000003-dev-a'); // true
 * isHlc('2024-06-10T08:00:00Z'); // false
 */
export function isHlc(value: unknown): value is Hlc {
  return typeof value === 'string' && HLC_PATTERN.test(value);
}

/**
 * Orders two clock values: negative when `a` happened before `b`, positive after, 0
 * when equal. Equal wall time and counter fall back to the device id, so two devices
 * never tie.
 *
 * @example
 * [b, a].sort(compareHlc); // oldest first
 * compareHlc(local.updated_at, remote.updated_at) > 0; // the local change is newer
 */
export function compareHlc(a: Hlc, b: Hlc): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Throws when `deviceId` cannot be embedded in a clock value.
 *
 * @example
 * assertDeviceId('0190a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b'); // ok
 */
export function assertDeviceId(deviceId: string): string {
  if (!DEVICE_ID_PATTERN.test(deviceId)) {
    throw new TypeError(`device id "${deviceId}" must match ${DEVICE_ID_PATTERN.source}`);
  }
  return deviceId;
}
