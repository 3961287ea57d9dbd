import {
  asyncScheduler,
  auditTime,
  distinctUntilChanged,
  filter,
  interval,
  map,
  merge,
  pairwise,
  startWith,
  withLatestFrom,
  type Observable,
  type SchedulerLike,
} from 'rxjs';

/** Why a sync run starts. `nudge`: the cloud announced a push of another device (DESIGN.md §4, Live nudges). */
export type SyncTrigger = 'manual' | 'local-change' | 'back-online' | 'interval' | 'nudge';

/** Where triggers come from. */
export interface TriggerSources {
  /** `syncNow()` calls. */
  readonly manual$: Observable<unknown>;
  /** Every committed local change (the store's signal already makes one of a burst in one tick). */
  readonly localChange$: Observable<unknown>;
  /** Whether the cloud answers its health probe. */
  readonly online$: Observable<boolean>;
}

/** Timings of the automatic triggers. */
export interface TriggerTimings {
  /**
   * 0: a local change triggers at once. Above 0: the first change of a quiet spell
   * triggers this long after it, and the changes within that window join it. Never a
   * debounce: a steady stream of writes must not keep postponing its upload.
   */
  readonly coalesceMs: number;
  readonly intervalMs: number;
}

/**
 * Which reason a trailing run carries when several came during a run (the `keep` of
 * `exhaustMapWithTrailing`): a local change never hides another one. A local-change run
 * finding nothing left to upload is skipped, and what the other reason asked for (a
 * person's request, a nudge's pull, the interval's) must still happen.
 *
 * @example
 * triggers$.pipe(exhaustMapWithTrailing(runOnce, strongerTrigger));
 */
export function strongerTrigger(held: SyncTrigger, next: SyncTrigger): SyncTrigger {
  return next === 'local-change' ? held : next;
}

/**
 * The stream of reasons to run a sync: a manual request at once, a local change at once
 * (or after `coalesceMs`), the moment the cloud comes back, and every `intervalMs`.
 * While offline, automatic triggers are dropped (they would make no network call
 * anyway; what they were for is queued and goes up with the back-online run); manual
 * ones pass so the caller learns the run found no cloud. The runs themselves never
 * overlap: the caller feeds this into `exhaustMapWithTrailing`, so changes made during a
 * run make exactly one more run after it.
 *
 * @example
 * syncTriggers({ manual$, localChange$, online$ }, { coalesceMs: 0, intervalMs: 300_000 })
 *   .pipe(exhaustMapWithTrailing((reason) => engine.run(reason)));
 */
export function syncTriggers(sources: TriggerSources, timings: TriggerTimings, scheduler: SchedulerLike = asyncScheduler): Observable<SyncTrigger> {
  const online$ = sources.online$.pipe(distinctUntilChanged());
  const backOnline$ = online$.pipe(
    startWith(true),
    pairwise(),
    filter(([before, now]) => !before && now),
    map((): SyncTrigger => 'back-online'),
  );
  const changes$ = timings.coalesceMs > 0 ? sources.localChange$.pipe(auditTime(timings.coalesceMs, scheduler)) : sources.localChange$;
  const automatic$ = merge(
    changes$.pipe(map((): SyncTrigger => 'local-change')),
    interval(timings.intervalMs, scheduler).pipe(map((): SyncTrigger => 'interval')),
  ).pipe(
    withLatestFrom(online$.pipe(startWith(false))),
    filter(([, online]) => online),
    map(([reason]) => reason),
  );
  return merge(sources.manual$.pipe(map((): SyncTrigger => 'manual')), backOnline$, automatic$);
}
