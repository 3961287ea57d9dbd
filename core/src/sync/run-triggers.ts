import { distinctUntilChanged, filter, interval, map, merge, debounceTime, pairwise, startWith, withLatestFrom, type Observable, type SchedulerLike, asyncScheduler } from 'rxjs';

/** Why a sync run starts. */
export type SyncTrigger = 'manual' | 'local-change' | 'back-online' | 'interval';

/** Where triggers come from. */
export interface TriggerSources {
  /** `syncNow()` calls. */
  readonly manual$: Observable<unknown>;
  /** Every local change (each is debounced). */
  readonly localChange$: Observable<unknown>;
  /** Whether the cloud answers its health probe. */
  readonly online$: Observable<boolean>;
}

/** Timings of the automatic triggers. */
export interface TriggerTimings {
  readonly debounceMs: number;
  readonly intervalMs: number;
}

/**
 * The stream of reasons to run a sync: a manual request at once, a burst of local
 * changes once it has been quiet for `debounceMs`, the moment the cloud comes back, and
 * every `intervalMs`. While offline, automatic triggers are dropped (they would make no
 * network call anyway); manual ones pass so the caller learns the run found no cloud.
 *
 * @example
 * syncTriggers({ manual$, localChange$, online$ }, { debounceMs: 500, intervalMs: 300_000 })
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
  const automatic$ = merge(
    sources.localChange$.pipe(debounceTime(timings.debounceMs, scheduler), map((): SyncTrigger => 'local-change')),
    interval(timings.intervalMs, scheduler).pipe(map((): SyncTrigger => 'interval')),
  ).pipe(
    withLatestFrom(online$.pipe(startWith(false))),
    filter(([, online]) => online),
    map(([reason]) => reason),
  );
  return merge(sources.manual$.pipe(map((): SyncTrigger => 'manual')), backOnline$, automatic$);
}
