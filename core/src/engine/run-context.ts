import type { PushEchoes } from './push-echoes.js';
import type { SyncProgress } from './sync-status.js';

/** What a stage gets from the engine for one run. */
export interface RunContext {
  /** Wall clock in ms (injectable for tests). */
  readonly now: () => number;
  /** Reports progress; the engine puts it into `status.progress`. */
  readonly progress: (progress: SyncProgress) => void;
  /** True once the engine is stopping: finish the batch in flight, start no other. */
  readonly stopping: () => boolean;
  /** The echoes of the run's pushes, from the upload stage to the pull stage. */
  readonly echoes: PushEchoes;
}

/** Counts a stage adds to the run's result. */
export interface StageCounts {
  uploaded: number;
  downloaded: number;
  conflicts: number;
  rejected: number;
  quarantined: number;
}
