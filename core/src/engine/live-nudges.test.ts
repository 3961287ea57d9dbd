import { BehaviorSubject, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { LiveNudge, RemoteStore } from '../remote/index.js';
import { LiveNudges } from './live-nudges.js';

// The scope bookkeeping alone, fed by an in-memory live feed (the real one is tested
// against the local cloud in core/test/engine/live-sync.test.ts).

interface Fed {
  readonly live: LiveNudges;
  nudge(table: string): void;
  join(joined: boolean): void;
  /** How often it asked the engine for a run. */
  readonly asked: () => number;
}

function fed(withFeed = true): Fed {
  const nudges$ = new Subject<LiveNudge>();
  const joined$ = new BehaviorSubject(false);
  const remote = (withFeed ? { listen: () => ({ nudges$, joined$, close: async () => undefined }) } : {}) as RemoteStore;
  let asked = 0;
  const live = new LiveNudges(remote, 'store-1', { live: () => undefined, nudge: () => (asked += 1) });
  live.start();
  return { live, nudge: (table) => nudges$.next({ table }), join: (joined) => joined$.next(joined), asked: () => asked };
}

describe('what a run pulls', () => {
  it('pulls the nudged tables alone, a burst of them in one run', () => {
    const { live, nudge, asked } = fed();
    nudge('notes');
    nudge('tags');
    nudge('notes');
    expect(asked()).toBe(3);
    expect(live.take(false)).toEqual({ trigger: 'nudge', tables: new Set(['notes', 'tags']) });
    // Covered: the trailing run of that burst has nothing left to do.
    expect(live.take(false)).toBeUndefined();
  });

  it('makes any other trigger a whole run, which covers the nudges before it', () => {
    const { live, nudge } = fed();
    nudge('notes');
    live.note('interval');
    live.note('local-change');
    expect(live.take(false)).toEqual({ trigger: 'interval' });
    expect(live.take(false)).toBeUndefined();
  });

  it('says local-change only when nothing else asked for the run, and manual when someone waits', () => {
    const { live, nudge } = fed();
    live.note('local-change');
    expect(live.take(false)).toEqual({ trigger: 'local-change' });
    nudge('notes');
    live.note('local-change');
    expect(live.take(false)).toEqual({ trigger: 'nudge' });
    live.note('back-online');
    expect(live.take(true)).toEqual({ trigger: 'manual' });
  });

  it('catches up with a whole run on a join, unless a whole run is yet to pull', () => {
    const { live, join, asked } = fed();
    live.note('back-online');
    expect(live.take(false)).toEqual({ trigger: 'back-online' });
    join(true); // before that run's pull: it covers the join
    expect(asked()).toBe(0);
    live.pulling();
    join(false);
    join(true); // after it: what came between is caught up with
    expect(asked()).toBe(1);
    expect(live.take(false)).toEqual({ trigger: 'nudge' });
  });

  it('runs as before for a remote without a live feed', () => {
    const { live, asked } = fed(false);
    live.note('manual');
    expect(live.take(true)).toEqual({ trigger: 'manual' });
    expect(asked()).toBe(0);
  });
});
