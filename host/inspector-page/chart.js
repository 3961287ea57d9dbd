// @ts-check
// The recent runs chart, drawn as SVG with DOM calls (no library): rows sent as bars up,
// rows received as bars down, the run's duration as a line of dots; offline and failed runs
// are marked with their own shapes. The same runs are a table for those who cannot see it.

import { card, h, plural, s, table, toDate } from './dom.js';

/** @typedef {import('./types.js').Run} Run */

const HEIGHT = 220;
const MARGIN = { top: 22, right: 52, bottom: 30, left: 46 };
/** A run narrower than this is unreadable: fewer, newer runs are drawn instead. */
const MIN_SLOT = 7;

/**
 * @param {Run[]} runs oldest first
 * @param {number} width the pixels the chart has (its text keeps its size on any screen)
 */
export function renderRuns(runs, width) {
  const plotWidth = Math.max(120, width - MARGIN.left - MARGIN.right);
  const shown = runs.slice(-Math.max(5, Math.floor(plotWidth / MIN_SLOT)));
  return card(
    { id: 'runs', title: 'Recent runs', count: runs.length },
    runs.length === 0 ? noRuns(width) : chart(shown, width, plotWidth),
    runs.length === 0 ? null : legend(),
    runs.length === 0
      ? null
      : h(
          'details',
          { class: 'runs-table' },
          h('summary', {}, 'Show the runs as a table'),
          table(
            ['When', 'Why', 'Sent', 'Received', 'Conflicts', 'Refused', 'Took', 'Outcome'],
            runs
              .slice(-20)
              .reverse()
              .map((run) => [when(run), run.trigger, run.uploaded, run.downloaded, run.conflicts, run.rejected, seconds(run.durationMs), outcome(run)]),
            { caption: 'The last 20 runs, newest first' },
          ),
        ),
  );
}

/**
 * @param {Run[]} runs
 * @param {number} width
 * @param {number} plotWidth
 */
function chart(runs, width, plotWidth) {
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const middle = MARGIN.top + plotHeight / 2;
  const rowsMax = niceCeil(Math.max(1, ...runs.map((r) => Math.max(r.uploaded, r.downloaded))));
  const msMax = niceCeil(Math.max(1, ...runs.map((r) => r.durationMs)));
  const slot = plotWidth / Math.max(runs.length, 1);
  const bar = Math.max(2, Math.min(24, slot * 0.6));
  /** @param {number} rows */
  const rowsY = (rows) => (rows / rowsMax) * (plotHeight / 2);
  /** @param {number} ms */
  const msY = (ms) => MARGIN.top + plotHeight - (ms / msMax) * plotHeight;
  /** @param {number} i */
  const x = (i) => MARGIN.left + slot * (i + 0.5);

  const children = [
    s('title', { id: 'runs-chart-title' }, 'Recent runs'),
    s('desc', { id: 'runs-chart-desc' }, describe(runs)),
    s('rect', { class: 'plot-bg', x: MARGIN.left, y: MARGIN.top, width: plotWidth, height: plotHeight }),
  ];
  runs.forEach((run, i) => {
    const label = `${when(run)} · ${run.trigger} · ${run.uploaded} sent, ${run.downloaded} received · ${seconds(run.durationMs)} · ${outcome(run)}`;
    const marks = [];
    if (run.offline || run.error !== null) {
      marks.push(s('rect', { class: run.offline ? 'band-offline' : 'band-error', x: x(i) - slot / 2, y: MARGIN.top, width: slot, height: plotHeight }));
      marks.push(
        run.offline
          ? s('circle', { class: 'mark-offline', cx: x(i), cy: MARGIN.top - 9, r: 4 })
          : s('path', { class: 'mark-error', d: `M${x(i)} ${MARGIN.top - 14} l5 9 h-10 z` }),
      );
    }
    if (run.uploaded > 0) marks.push(s('rect', { class: 'bar-up', x: x(i) - bar / 2, y: middle - rowsY(run.uploaded), width: bar, height: rowsY(run.uploaded) }));
    if (run.downloaded > 0) marks.push(s('rect', { class: 'bar-down', x: x(i) - bar / 2, y: middle, width: bar, height: rowsY(run.downloaded) }));
    children.push(s('g', { class: 'run' }, s('title', {}, label), marks));
  });
  {
    const points = runs.map((run, i) => `${x(i).toFixed(1)},${msY(run.durationMs).toFixed(1)}`);
    children.push(s('polyline', { class: 'duration-line', points: points.join(' ') }));
    runs.forEach((run, i) => children.push(s('circle', { class: 'duration-dot', cx: x(i), cy: msY(run.durationMs), r: 3 })));
  }
  children.push(
    s('line', { class: 'axis', x1: MARGIN.left, x2: MARGIN.left + plotWidth, y1: middle, y2: middle }),
    s('line', { class: 'axis', x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: MARGIN.top + plotHeight }),
    s('line', { class: 'axis', x1: MARGIN.left + plotWidth, x2: MARGIN.left + plotWidth, y1: MARGIN.top, y2: MARGIN.top + plotHeight }),
    axisText(MARGIN.left - 6, MARGIN.top + 4, 'end', `↑${rowsMax}`),
    axisText(MARGIN.left - 6, middle + 4, 'end', '0'),
    axisText(MARGIN.left - 6, MARGIN.top + plotHeight, 'end', `↓${rowsMax}`),
    axisText(MARGIN.left + plotWidth + 6, MARGIN.top + 4, 'start', seconds(msMax)),
    axisText(MARGIN.left + plotWidth + 6, MARGIN.top + plotHeight, 'start', '0 s'),
    axisText(4, MARGIN.top - 10, 'start', 'rows'),
    axisText(width - 4, MARGIN.top - 10, 'end', 'duration'),
  );
  if (runs.length > 0) {
    const first = runs[0];
    const last = runs[runs.length - 1];
    const sameMinute = clock(first) === clock(last);
    children.push(axisText(MARGIN.left, HEIGHT - 8, 'start', clock(first, sameMinute)));
    if (runs.length > 1) children.push(axisText(MARGIN.left + plotWidth, HEIGHT - 8, 'end', clock(last, sameMinute)));
  }
  return h(
    'div',
    { class: 'chart' },
    s(
      'svg',
      {
        'data-testid': 'runs-chart',
        role: 'img',
        'aria-labelledby': 'runs-chart-title runs-chart-desc',
        viewBox: `0 0 ${width} ${HEIGHT}`,
        width,
        height: HEIGHT,
        class: 'runs-chart',
      },
      children,
    ),
  );
}

/**
 * The chart's place while there is nothing to draw (keeps its test hook and its name).
 *
 * @param {number} width
 */
function noRuns(width) {
  return h(
    'div',
    { class: 'chart' },
    s(
      'svg',
      { 'data-testid': 'runs-chart', role: 'img', 'aria-labelledby': 'runs-chart-title', viewBox: `0 0 ${width} 48`, width, height: 48, class: 'runs-chart' },
      s('title', { id: 'runs-chart-title' }, 'Recent runs: none yet'),
      s('text', { class: 'empty-text', x: 0, y: 28 }, 'No runs yet. They appear here as the device syncs.'),
    ),
  );
}

function legend() {
  /**
   * @param {string} cls
   * @param {string} text
   * @param {'rect' | 'circle' | 'path' | 'line'} shape
   */
  const key = (cls, text, shape) => {
    const symbol =
      shape === 'rect'
        ? s('rect', { class: cls, x: 2, y: 2, width: 10, height: 10 })
        : shape === 'circle'
          ? s('circle', { class: cls, cx: 7, cy: 7, r: 4 })
          : shape === 'path'
            ? s('path', { class: cls, d: 'M7 2 l5 9 h-10 z' })
            : s('g', {}, s('line', { class: 'duration-line', x1: 0, x2: 14, y1: 7, y2: 7 }), s('circle', { class: 'duration-dot', cx: 7, cy: 7, r: 3 }));
    return h('li', {}, s('svg', { width: 14, height: 14, viewBox: '0 0 14 14', 'aria-hidden': 'true' }, symbol), ` ${text}`);
  };
  return h(
    'ul',
    { class: 'legend' },
    key('bar-up', 'rows sent (up)', 'rect'),
    key('bar-down', 'rows received (down)', 'rect'),
    key('', 'duration', 'line'),
    key('mark-offline', 'offline', 'circle'),
    key('mark-error', 'failed', 'path'),
  );
}

/**
 * @param {number} x
 * @param {number} y
 * @param {'start' | 'middle' | 'end'} anchor
 * @param {string} text
 */
function axisText(x, y, anchor, text) {
  return s('text', { class: 'axis-text', x, y, 'text-anchor': anchor }, text);
}

/**
 * 1, 2, 5, 10, 20, 50…: an axis top a person reads at once.
 *
 * @param {number} n
 */
function niceCeil(n) {
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (n <= step * power) return step * power;
  return 10 * power;
}

/** @param {Run[]} runs */
function describe(runs) {
  if (runs.length === 0) return 'No runs yet.';
  const sent = runs.reduce((n, r) => n + r.uploaded, 0);
  const received = runs.reduce((n, r) => n + r.downloaded, 0);
  const offline = runs.filter((r) => r.offline).length;
  const failed = runs.filter((r) => !r.offline && r.error !== null).length;
  return `The last ${plural(runs.length, 'run')}: ${plural(sent, 'row')} sent, ${plural(received, 'row')} received, ${offline} offline, ${failed} failed.`;
}

/** @param {Run} run */
function outcome(run) {
  if (run.offline) return 'offline';
  return run.error === null ? 'ok' : `failed: ${run.error}`;
}

/**
 * The run's time; with its date only when it was not today.
 *
 * @param {Run} run
 */
function when(run) {
  const date = toDate(run.at);
  if (date === null) return '—';
  return date.toDateString() === new Date().toDateString() ? date.toLocaleTimeString() : date.toLocaleString();
}

/**
 * The run's time of day; with seconds when the runs drawn fit in one minute.
 *
 * @param {Run} run
 * @param {boolean} [withSeconds]
 */
function clock(run, withSeconds = false) {
  const options = /** @type {Intl.DateTimeFormatOptions} */ ({ hour: '2-digit', minute: '2-digit', ...(withSeconds ? { second: '2-digit' } : {}) });
  return toDate(run.at)?.toLocaleTimeString(undefined, options) ?? '';
}

/** @param {number} ms */
function seconds(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
}
