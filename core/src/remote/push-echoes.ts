/**
 * How long the announcement of one of our own pushes is waited for. Past it the
 * expectation lapses and the announcement, should it still come, pulls like any other.
 */
const ECHO_WINDOW_MS = 10_000;

interface Expected {
  readonly deadline: number;
}

/**
 * The announcements a device's own pushes will cause, so its live feed can leave them
 * out: the run that pushed pulls after pushing anyway, and pulling again for its own
 * rows would make an empty run after every upload.
 *
 * An expectation is made before the push is sent (its announcement can arrive before
 * its answer) and dropped when the push applied nothing. A nudge of that table then uses
 * one up. Another device's nudge may use ours up instead; then ours, arriving later, is
 * taken for another's and pulls, so nothing is missed unless ours is lost. Expectations
 * lapse after {@link ECHO_WINDOW_MS}.
 *
 * @example
 * const settle = echoes.expect('notes');
 * const outcomes = await push();
 * settle(outcomes.some((o) => o.status === 'applied'));
 * echoes.consume('notes'); // true once, for the echo of that push
 */
export class PushEchoes {
  private readonly expected = new Map<string, Expected[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Expects the echo of a push of `table` now being sent; call the result with whether it applied rows. */
  expect(table: string): (applied: boolean) => void {
    const entry: Expected = { deadline: this.now() + ECHO_WINDOW_MS };
    const list = this.live(table);
    list.push(entry);
    this.expected.set(table, list);
    return (applied) => {
      if (applied) return;
      const current = this.expected.get(table);
      const at = current?.indexOf(entry) ?? -1;
      if (at >= 0) current!.splice(at, 1);
    };
  }

  /** Whether a nudge of `table` is the echo of one of our pushes; an echo is used up. */
  consume(table: string): boolean {
    const list = this.live(table);
    const used = list.shift() !== undefined;
    if (list.length === 0) this.expected.delete(table);
    else this.expected.set(table, list);
    return used;
  }

  /** Forgets every expectation (the channel left: echoes sent meanwhile are lost). */
  clear(): void {
    this.expected.clear();
  }

  private live(table: string): Expected[] {
    const now = this.now();
    return (this.expected.get(table) ?? []).filter((entry) => entry.deadline > now);
  }
}
