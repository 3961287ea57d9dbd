// @ts-check
// The device inspector page served by `equinox inspect`: fetches the device's state,
// draws it, and keeps it live from the server's events (`status` redraws the header,
// `changed` refetches). Every URL is relative: the page lives under a secret path.

import { renderRuns } from './chart.js';
import { reason, renderConflicts, renderDeletes } from './conflicts.js';
import { h, tickTimes } from './dom.js';
import { renderFailed, renderQuarantined, renderQueue } from './lists.js';
import { renderPanels } from './panels.js';
import { describeRun, renderAttention, renderIdentity, renderStatus, statusTone } from './status.js';

/** @typedef {import('./types.js').State} State */
/** @typedef {import('./types.js').SyncStatus} SyncStatus */
/** @typedef {import('./types.js').Tone} Tone */
/** @typedef {import('./types.js').PageContext} PageContext */

/** Local writes come in bursts; one refetch covers a burst. */
const REFRESH_DEBOUNCE_MS = 200;
const RETRY_MAX_MS = 30_000;

/** @param {string} id */
function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element;
}

const page = {
  identity: byId('identity'),
  status: byId('status'),
  attention: byId('attention'),
  details: byId('details'),
  toast: byId('toast'),
  lost: byId('connection'),
  sync: /** @type {HTMLButtonElement} */ (byId('sync-now')),
};

/** @type {State | null} */
let state = null;
/** The last state as sent, to skip redrawing (and losing focus) when nothing changed. */
let stateText = '';
/** Whether the next load redraws even an unchanged state. */
let redraw = false;

/** @type {PageContext} */
const ctx = {
  post,
  toast,
  // After an action: redraw even when the state is the same (its message, its buttons again).
  refresh: () => {
    redraw = true;
    scheduleRefresh();
  },
  chosenDeletes: new Set(),
  mergeChoices: new Map(),
  panelMessages: new Map(),
  busy: new Set(),
};

/**
 * @param {string} path relative to the page
 * @param {unknown} body
 * @returns {Promise<Record<string, unknown>>}
 */
async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    cache: 'no-store',
  });
  const answer = await readJson(response);
  if (!response.ok) throw new Error(typeof answer.error === 'string' ? answer.error : `the device answered ${response.status}`);
  return answer;
}

/**
 * @param {Response} response
 * @returns {Promise<Record<string, unknown>>}
 */
async function readJson(response) {
  const text = await response.text();
  try {
    const value = text === '' ? {} : JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

/**
 * @param {string} message
 * @param {Tone} [tone]
 */
function toast(message, tone = 'ok') {
  page.toast.className = `toast tone-${tone}`;
  page.toast.textContent = message;
}

/** @param {boolean} lost */
function setLost(lost) {
  page.lost.hidden = !lost;
  document.body.classList.toggle('lost', lost);
}

let loading = false;
let loadAgain = false;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let refreshTimer;

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(load, REFRESH_DEBOUNCE_MS);
}

/** Fetches the state and redraws; a refresh asked for meanwhile runs once after it. */
async function load() {
  if (loading) {
    loadAgain = true;
    return;
  }
  loading = true;
  try {
    const response = await fetch('api/state', { cache: 'no-store' });
    if (!response.ok) throw new Error(`the device answered ${response.status}`);
    const text = await response.text();
    if (text !== stateText || redraw) {
      redraw = false;
      stateText = text;
      state = /** @type {State} */ (JSON.parse(text));
      render(state);
    }
    if (source?.readyState === EventSource.OPEN) setLost(false);
  } catch (error) {
    setLost(true);
    console.warn('inspector: could not load the state:', reason(error));
  } finally {
    loading = false;
    if (loadAgain) {
      loadAgain = false;
      void load();
    }
  }
}

/** @param {State} current */
function render(current) {
  const focus = focusKey(document.activeElement);
  const open = [...document.querySelectorAll('details[open]')].map((d) => d.closest('section')?.id);
  document.title = `${current.conflicts.length > 0 ? `(${current.conflicts.length}) ` : ''}${current.device.deviceId} · Equinox inspector`;
  page.identity.replaceChildren(...renderIdentity(current.device));
  renderHeaderStatus(current.status);
  page.attention.replaceChildren(renderAttention(current));
  page.details.replaceChildren(
    ...[
      renderConflicts(current.conflicts, ctx),
      renderDeletes(current.deletes, ctx),
      renderFailed(current.failed),
      renderQuarantined(current.quarantined),
      renderQueue(current.queue, current.status.uploadsPaused, current.conflicts.length),
      ...renderPanels(current.panels, ctx),
      renderRuns(current.runs, chartWidth()),
    ].filter((node) => node !== null),
  );
  fitChart();
  for (const details of document.querySelectorAll('details')) if (open.includes(details.closest('section')?.id)) details.open = true;
  restoreFocus(focus);
}

/** @param {SyncStatus} status */
function renderHeaderStatus(status) {
  page.status.className = `status tone-${statusTone(status)}`;
  page.status.replaceChildren(...renderStatus(status).filter((node) => node !== null));
}

/**
 * A `status` event: the header follows at once, the rest waits for `changed`.
 *
 * @param {SyncStatus} status
 */
function applyStatus(status) {
  if (state === null) return;
  state = { ...state, status };
  renderHeaderStatus(status);
  const focus = focusKey(document.activeElement);
  page.attention.replaceChildren(renderAttention(state));
  restoreFocus(focus);
}

function chartWidth() {
  const existing = document.querySelector('#runs .chart');
  return Math.floor(existing?.clientWidth || page.details.clientWidth - 34 || 600);
}

/** Draws the chart again when its box is not the width it was drawn for (first draw, resize). */
function fitChart() {
  const box = document.querySelector('#runs .chart');
  const svg = box?.querySelector('svg');
  if (!box || !svg || state === null) return;
  if (Math.abs(box.clientWidth - Number(svg.getAttribute('width'))) <= 2) return;
  document.getElementById('runs')?.replaceWith(renderRuns(state.runs, Math.floor(box.clientWidth)));
}

/**
 * Something that finds the same control after a redraw: its container's test hook and its own.
 *
 * @param {Element | null} element
 */
function focusKey(element) {
  if (!(element instanceof HTMLElement) || element === document.body) return null;
  const holder = element.parentElement?.closest('[data-testid], section[id]');
  return [element.tagName, holder?.getAttribute('data-testid') ?? holder?.id, element.dataset.testid, element.dataset.action, element.dataset.field, element.getAttribute('value'), element.getAttribute('href')].join('|');
}

/** @param {string | null} key */
function restoreFocus(key) {
  if (key === null) return;
  for (const element of document.querySelectorAll('button, input, a, summary')) {
    if (focusKey(element) === key && element instanceof HTMLElement) {
      element.focus({ preventScroll: true });
      return;
    }
  }
}

/** @type {EventSource | null} */
let source = null;
let retryMs = 1000;

/** Subscribes to the device's events; when the stream dies for good, starts a new one later. */
function connect() {
  source = new EventSource('api/events');
  source.addEventListener('open', () => {
    retryMs = 1000;
    setLost(false);
    scheduleRefresh();
  });
  source.addEventListener('status', (event) => {
    try {
      applyStatus(JSON.parse(/** @type {MessageEvent} */ (event).data));
    } catch (error) {
      console.warn('inspector: a status event was not JSON:', reason(error));
    }
  });
  source.addEventListener('changed', () => scheduleRefresh());
  source.addEventListener('error', () => {
    setLost(true);
    if (source?.readyState === EventSource.CLOSED) {
      source.close();
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
  });
}

page.sync.addEventListener('click', async () => {
  page.sync.disabled = true;
  page.sync.textContent = 'Syncing…';
  try {
    const answer = await post('api/sync', {});
    const result = /** @type {import('./types.js').SyncRunResult} */ (answer.result);
    toast(describeRun(result), result.offline || result.error !== null ? 'warn' : 'ok');
  } catch (error) {
    toast(`Sync failed: ${reason(error)}`, 'bad');
  } finally {
    page.sync.disabled = false;
    page.sync.textContent = 'Sync now';
    scheduleRefresh();
  }
});

/** @type {ReturnType<typeof setTimeout> | undefined} */
let resizeTimer;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(fitChart, 150);
});
setInterval(tickTimes, 10_000);
page.status.replaceChildren(h('p', { class: 'calm' }, 'Loading the device…'));
void load();
connect();
