import type { RemoteHealth } from '../remote/index.js';
import type { CloudMark } from '../store/index.js';

/**
 * How the cloud changed under the device:
 * - `replaced`: another epoch (a wiped database, a new project);
 * - `rewound`: its high-water mark went back below what the device saw (a backup restored);
 * - `moved`: its next transaction id is at or below a pull cursor (a dump restored into
 *   another cluster, whose new writes the cursors would skip).
 *
 * @example
 * const change: CloudChange | undefined = detectCloudChange(mark, health, cursorTxid);
 */
export type CloudChange = 'replaced' | 'rewound' | 'moved';

/**
 * Compares what the cloud says now with what the device last recorded. Nothing recorded
 * yet (a first sync, or a cloud of an older schema that names no epoch) is no change.
 *
 * @example
 * detectCloudChange({ epoch: 'a', highWater: '90' }, { online: true, latencyMs: 3, epoch: 'a', highWater: '40' }, 12n); // 'rewound'
 */
export function detectCloudChange(seen: CloudMark, health: RemoteHealth, cursorTxid: bigint | undefined): CloudChange | undefined {
  if (health.epoch !== undefined && seen.epoch !== undefined && health.epoch !== seen.epoch) return 'replaced';
  if (health.highWater !== undefined && seen.highWater !== undefined && BigInt(health.highWater) < BigInt(seen.highWater)) return 'rewound';
  if (health.nextTxid !== undefined && cursorTxid !== undefined && BigInt(health.nextTxid) <= cursorTxid) return 'moved';
  return undefined;
}

/**
 * The mark to keep after a probe: the cloud's epoch, and the larger of the high-water
 * marks (the cloud's own, after a recovery, which accepts that it went back).
 *
 * @example
 * nextMark({ highWater: '90' }, health, false); // { epoch: health.epoch, highWater: max('90', health.highWater) }
 */
export function nextMark(seen: CloudMark, health: RemoteHealth, recovered: boolean): CloudMark {
  const highWater =
    health.highWater === undefined
      ? seen.highWater
      : recovered || seen.highWater === undefined || BigInt(health.highWater) > BigInt(seen.highWater)
        ? health.highWater
        : seen.highWater;
  return { ...(health.epoch === undefined ? {} : { epoch: health.epoch }), ...(highWater === undefined ? {} : { highWater }) };
}
