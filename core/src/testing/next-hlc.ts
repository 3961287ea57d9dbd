import { HybridLogicalClock, type Hlc } from '../clock/index.js';

const clocks = new Map<string, HybridLogicalClock>();

/**
 * The next value of a device's clock, later than any this kit gave that device before:
 * the `updated_at` of a row a test sends to the cloud itself (over REST or `eq_push`), as
 * that device would stamp it.
 *
 * @example
 * const row = { id: newRecordId(), tenant_id: tenant, updated_at: nextHlc('till'), deleted: false, body: 'hello' };
 */
export function nextHlc(deviceId = 'test'): Hlc {
  let clock = clocks.get(deviceId);
  if (clock === undefined) clocks.set(deviceId, (clock = new HybridLogicalClock({ deviceId })));
  return clock.tick();
}
