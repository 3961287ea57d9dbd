import { defer, Observable, type ObservableInput, type OperatorFunction } from 'rxjs';

/**
 * Like `exhaustMap`, runs one inner observable at a time and ignores triggers while one
 * runs — but remembers that one came, and runs once more when the current one ends.
 * A change made during a sync run is therefore never left waiting for the next interval,
 * and ten triggers during a run still cause at most one more run. Of the values that came
 * during a run, the trailing run gets the latest, or what `keep` makes of them (e.g. so a
 * weaker reason does not hide a stronger one).
 *
 * @example
 * triggers$.pipe(exhaustMapWithTrailing(() => runOnce()));
 * triggers$.pipe(exhaustMapWithTrailing(runOnce, (held, next) => (next === 'local-change' ? held : next)));
 */
export function exhaustMapWithTrailing<T, R>(
  project: (value: T) => ObservableInput<R>,
  keep: (held: T, next: T) => T = (_held, next) => next,
): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let running = false;
      let pending: { value: T } | undefined;
      let sourceDone = false;
      const inner = new Set<{ unsubscribe(): void }>();

      const start = (value: T): void => {
        running = true;
        // An inner observable may complete during subscribe (a run skipped as EMPTY): then there is nothing to keep.
        let subscription: { unsubscribe(): void } | undefined = undefined;
        let done = false;
        subscription = defer(() => project(value)).subscribe({
          next: (result) => subscriber.next(result),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            done = true;
            if (subscription !== undefined) inner.delete(subscription);
            running = false;
            if (pending) {
              const next = pending.value;
              pending = undefined;
              start(next);
            } else if (sourceDone) {
              subscriber.complete();
            }
          },
        });
        if (!done) inner.add(subscription);
      };

      const outer = source.subscribe({
        next: (value) => {
          if (running) pending = { value: pending === undefined ? value : keep(pending.value, value) };
          else start(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          if (!running) subscriber.complete();
        },
      });
      return () => {
        outer.unsubscribe();
        for (const subscription of inner) subscription.unsubscribe();
      };
    });
}
