// @ts-check
// Building the page: elements from data, always as text. Everything the device sends is
// untrusted (row values, plugin text), so nothing here parses markup.

/** @typedef {import('./types.js').Tone} Tone */

/** @typedef {Node | string | number | null | undefined | false} Child */
/** @typedef {Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>} Attrs */

/**
 * An HTML element with attributes and children; `on<event>` attributes take listeners,
 * `false`/`null`/`undefined` attributes are left out, strings become text nodes.
 *
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  assign(element, attrs);
  append(element, children);
  return element;
}

/**
 * An SVG element (the runs chart), same conventions as {@link h}.
 *
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {SVGElement}
 */
export function s(tag, attrs = {}, ...children) {
  const element = /** @type {SVGElement} */ (document.createElementNS('http://www.w3.org/2000/svg', tag));
  assign(element, attrs);
  append(element, children);
  return element;
}

/**
 * @param {Element} element
 * @param {Attrs} attrs
 */
function assign(element, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
}

/**
 * @param {Element} element
 * @param {(Child | Child[])[]} children
 */
function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
}

/**
 * How a cell value reads: text as is, nothing as an em dash, the rest as JSON.
 *
 * @param {unknown} value
 */
export function show(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/**
 * Accepts what the server sends for an instant: ms since the epoch or an ISO string.
 *
 * @param {number | string | null | undefined} at
 */
export function toDate(at) {
  if (at === null || at === undefined) return null;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? null : date;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

/**
 * "2 min ago", "in 40 sec." in the browser's language.
 *
 * @param {Date} date
 * @param {number} [now]
 */
export function fromNow(date, now = Date.now()) {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 5) return relative.format(0, 'second');
  if (abs < 60) return relative.format(seconds, 'second');
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86400), 'day');
}

/**
 * A `<time>` that keeps saying how long ago (or how soon) `at` is: the page's clock
 * rewrites every `time.ago` from its `datetime` attribute. The full local time is its tooltip.
 * A `due` text replaces the time once it has passed (a retry that is due, not "5 s ago").
 *
 * @param {number | string | null | undefined} at
 * @param {string} [never] what to say when there is no instant
 * @param {string} [due]
 */
export function ago(at, never = 'never', due) {
  const date = toDate(at);
  if (date === null) return h('span', {}, never);
  return h('time', { class: 'ago', datetime: date.toISOString(), title: date.toLocaleString(), 'data-due': due }, relativeText(date, Date.now(), due));
}

/** Rewrites every relative time on the page (called by a timer). */
export function tickTimes() {
  const now = Date.now();
  for (const time of document.querySelectorAll('time.ago')) {
    const date = toDate(time.getAttribute('datetime'));
    if (date !== null) time.textContent = relativeText(date, now, time.getAttribute('data-due') ?? undefined);
  }
}

/**
 * @param {Date} date
 * @param {number} now
 * @param {string | undefined} due
 */
function relativeText(date, now, due) {
  return due !== undefined && date.getTime() <= now ? due : fromNow(date, now);
}

/**
 * A card: a titled section with a count badge, its body, and an id the attention tiles
 * link to.
 *
 * @param {{ id: string, title: string, count?: number, tone?: Tone | null, testid?: string }} head
 * @param {...(Child | Child[])} body
 */
export function card(head, ...body) {
  const titleId = `${head.id}-title`;
  return h(
    'section',
    { class: `card${head.tone ? ` tone-${head.tone}` : ''}`, id: head.id, 'aria-labelledby': titleId, 'data-testid': head.testid },
    h('h2', { id: titleId }, head.title, head.count === undefined ? null : h('span', { class: 'count' }, head.count)),
    ...body,
  );
}

/**
 * A plain table: a header row and text cells. `rowAttrs` gives each row its attributes
 * (test hooks, tone classes). A `stack` table turns into one block per row on a narrow
 * screen, each cell under its column's name (`data-label`).
 *
 * @param {string[]} columns
 * @param {Child[][]} rows
 * @param {{ rowAttrs?: (index: number) => Attrs, caption?: string, stack?: boolean }} [options]
 */
export function table(columns, rows, { rowAttrs = () => ({}), caption, stack = false } = {}) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: stack ? 'stack' : undefined },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col' }, column)))),
      h('tbody', {}, rows.map((cells, index) => h('tr', rowAttrs(index), cells.map((cell, column) => h('td', { 'data-label': columns[column] }, cell))))),
    ),
  );
}

/**
 * A word for a tone that does not rely on colour.
 *
 * @param {Tone | null | undefined} tone
 */
export function toneWord(tone) {
  return tone === 'bad' ? '✖' : tone === 'warn' ? '⚠' : tone === 'ok' ? '✔' : '';
}

/**
 * The tone's symbol before a text, so the tone reads without colour too (and is spoken).
 *
 * @param {Tone | null | undefined} tone
 */
export function mark(tone) {
  if (!tone) return null;
  const spoken = tone === 'bad' ? 'problem: ' : tone === 'warn' ? 'warning: ' : 'fine: ';
  return h('span', { class: 'mark' }, h('span', { 'aria-hidden': 'true' }, `${toneWord(tone)} `), h('span', { class: 'sr-only' }, spoken));
}

/**
 * "3 conflicts", "1 conflict".
 *
 * @param {number} n
 * @param {string} one
 * @param {string} [many]
 */
export function plural(n, one, many = `${one}s`) {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
