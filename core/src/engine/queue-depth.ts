/** How often, at most, an upload's progress counts the queue again. */
export const QUEUE_RECOUNT_MS = 250;

/**
 * The queue's depth as an upload goes, without counting the queue at every batch: a
 * count walks the whole queue, so counting per batch made a long upload (a day offline)
 * cost the square of its length. The depth is counted at the first step and again once
 * {@link QUEUE_RECOUNT_MS} have passed; in between it is the last count less the
 * entries settled since. Changes queued meanwhile, and failed entries (they stay
 * queued), show at the next count; the status after the run counts exactly.
 *
 * @example
 * const depth = new QueueDepth(() => store.pendingUploads(), Date.now);
 * patch({ progress: step, pendingUploads: depth.at(step.done) });
 */
export class QueueDepth {
  private counted: { depth: number; done: number; at: number } | undefined;

  constructor(
    private readonly count: () => number,
    private readonly now: () => number,
  ) {}

  /** The depth when `done` entries of the run are settled (`done` only grows within a run). */
  at(done: number): number {
    const now = this.now();
    if (this.counted === undefined || now - this.counted.at >= QUEUE_RECOUNT_MS) {
      this.counted = { depth: this.count(), done, at: now };
      return this.counted.depth;
    }
    return Math.max(0, this.counted.depth - (done - this.counted.done));
  }
}
