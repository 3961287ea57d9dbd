import { EMPTY, Subject, delay, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { exhaustMapWithTrailing } from './exhaust-map-with-trailing.js';
import { strongerTrigger, syncTriggers, type SyncTrigger } from './run-triggers.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

const reasons = { m: 'manual', l: 'local-change', b: 'back-online', i: 'interval' } as const;

describe('syncTriggers', () => {
  it('passes a local change at once when there is no coalescing window', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const online$ = hot('o', { o: true });
      const changes$ = hot('-a--a-----');
      const triggers = syncTriggers({ manual$: cold('-'), localChange$: changes$, online$ }, { coalesceMs: 0, intervalMs: 1000 });
      expectObservable(triggers, '^ 9ms !').toBe('-l--l-----', reasons);
    });
  });

  it('joins the changes within the window to the first one, and a steady stream does not postpone them', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const online$ = hot('o', { o: true });
      // A write every 2 ms for 12 ms: a debounce of 3 ms would wait until the stream stops.
      const changes$ = hot('-a-a-a-a-a-a-------');
      const triggers = syncTriggers({ manual$: cold('|'), localChange$: changes$, online$ }, { coalesceMs: 3, intervalMs: 1000 });
      expectObservable(triggers, '^ 18ms !').toBe('----l---l---l------', reasons);
    });
  });

  it('fires on the interval while online, and not while offline', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const online$ = hot('o------f-------', { o: true, f: false });
      const triggers = syncTriggers({ manual$: cold('-'), localChange$: cold('-'), online$ }, { coalesceMs: 1, intervalMs: 3 });
      expectObservable(triggers, '^ 14ms !').toBe('---i--i--------', reasons);
    });
  });

  it('drops local-change triggers while offline; the back-online run takes what they were for', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const online$ = hot('f-------o--', { o: true, f: false });
      const changes$ = hot('-a--------');
      const triggers = syncTriggers({ manual$: cold('-'), localChange$: changes$, online$ }, { coalesceMs: 2, intervalMs: 1000 });
      expectObservable(triggers, '^ 10ms !').toBe('--------b--', reasons);
    });
  });

  it('passes manual triggers at once, online or not', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const online$ = hot('f----', { f: false });
      const manual$ = hot('-x-x-');
      const triggers = syncTriggers({ manual$, localChange$: hot('-'), online$ }, { coalesceMs: 2, intervalMs: 1000 });
      expectObservable(triggers, '^ 4ms !').toBe('-m-m-', reasons);
    });
  });
});

describe('exhaustMapWithTrailing', () => {
  it('never overlaps runs and runs once more for triggers that came during a run', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const triggers$ = hot('a-bcd-------e--|');
      const runs = triggers$.pipe(exhaustMapWithTrailing((t) => of(t).pipe(delay(4))));
      expectObservable(runs).toBe('----a---d---' + '----(e|)');
    });
  });

  it('with strongerTrigger, a local change during a run does not hide another reason for the trailing run', () => {
    scheduler().run(({ hot, expectObservable }) => {
      // b (a nudge) and c (a change) come during run a: the trailing run is b's; d comes during b and runs after it.
      const triggers$ = hot<SyncTrigger>('a-bc--d--------|', { a: 'local-change', b: 'nudge', c: 'local-change', d: 'local-change' });
      const runs = triggers$.pipe(exhaustMapWithTrailing((t) => of(t).pipe(delay(4)), strongerTrigger));
      expectObservable(runs).toBe('----a---b---d--|', { a: 'local-change', b: 'nudge', d: 'local-change' });
    });
  });

  it('goes on after a run that ends at once (a skipped one)', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const triggers$ = hot('a-b-c--|');
      const runs = triggers$.pipe(exhaustMapWithTrailing((t) => (t === 'b' ? EMPTY : of(t).pipe(delay(1)))));
      expectObservable(runs).toBe('-a---c-|');
    });
  });

  it('counts one run at a time for ten simultaneous triggers', async () => {
    const triggers$ = new Subject<number>();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const done = new Promise<void>((resolve) => {
      triggers$
        .pipe(
          exhaustMapWithTrailing(() => {
            runs += 1;
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            return (async () => {
              await new Promise((r) => setTimeout(r, 20));
              running -= 1;
            })();
          }),
        )
        .subscribe({ complete: resolve });
    });
    for (let i = 0; i < 10; i++) triggers$.next(i);
    triggers$.complete();
    await done;
    expect(maxRunning).toBe(1);
    expect(runs).toBe(2); // the first, then one trailing run for the nine that came during it
  });
});
