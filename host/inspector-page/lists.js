// @ts-check
// What waits to go up (the queue per table), what the cloud refused (failed uploads, with
// when they are tried again), and what came down unusable (quarantined rows).

import { ago, card, h, plural, table } from './dom.js';

/** @typedef {import('./types.js').QueueTable} QueueTable */
/** @typedef {import('./types.js').FailedRow} FailedRow */
/** @typedef {import('./types.js').QuarantineNotice} QuarantineNotice */

/**
 * @param {QueueTable[]} queue
 * @param {string | null} paused why uploads are paused, if they are
 * @param {number} conflicts records in the conflict inbox: their changes wait for a person, not in this queue
 */
export function renderQueue(queue, paused, conflicts) {
  const waiting = queue.filter((q) => q.count > 0);
  const total = waiting.reduce((sum, q) => sum + q.count, 0);
  return card(
    { id: 'queue', title: 'Upload queue', count: total, tone: paused !== null && total > 0 ? 'warn' : null },
    paused === null ? null : h('p', { class: 'note tone-warn' }, h('strong', {}, '‖ Paused: '), sentence(paused), ' The rows wait here meanwhile.'),
    waiting.length === 0
      ? h('p', { class: 'calm' }, conflicts > 0 ? `Nothing ready to send: the changes left wait on the ${plural(conflicts, 'conflict')} above.` : '✔ Nothing waiting: every change on this device has been sent.')
      : waiting.map((q) =>
          h(
            'div',
            { class: 'queue-table', 'data-testid': `queue-${q.table}` },
            h('h3', {}, h('span', { class: 'table-name' }, q.table), ' ', h('span', { class: 'count' }, q.count), h('span', { class: 'plugin' }, q.plugin)),
            table(
              ['Change', 'Id', 'Row', 'Tries', 'Last error'],
              q.rows.map((row) => [
                h('span', { class: `op op-${row.op}` }, row.op === 'delete' ? 'delete' : 'save'),
                h('code', { class: 'row-id' }, row.id),
                h('span', { class: 'preview' }, row.preview),
                row.attempts,
                row.lastError === null ? '—' : h('span', { class: 'error-text' }, row.lastError),
              ]),
              { stack: true },
            ),
            q.count > q.rows.length ? h('p', { class: 'more' }, `…and ${plural(q.count - q.rows.length, 'more row')}.`) : null,
          ),
        ),
    waiting.length > 0 && conflicts > 0 ? h('p', { class: 'more' }, `Besides these, the changes of ${plural(conflicts, 'record')} in conflict wait for a choice above.`) : null,
  );
}

/** @param {FailedRow[]} failed */
export function renderFailed(failed) {
  if (failed.length === 0) return null;
  return card(
    { id: 'failed', title: 'Failed uploads', count: failed.length, tone: 'bad' },
    h('p', { class: 'explain' }, 'The cloud refused these changes. They keep their data and are tried again on their own.'),
    h(
      'ul',
      { class: 'items' },
      failed.map((f) =>
        h(
          'li',
          { class: 'item tone-bad', 'data-testid': `failed-${f.table}-${f.id}` },
          h('div', { class: 'item-head' }, h('span', { class: 'table-name' }, f.table), ' ', h('code', { class: 'row-id' }, f.id)),
          h('p', { class: 'reason' }, f.reason),
          f.preview ? h('p', { class: 'preview' }, f.preview) : null,
          h('p', { class: 'meta' }, `${plural(f.attempts, 'try', 'tries')} · next try `, ago(f.nextAttemptAt, 'not planned', 'due now')),
        ),
      ),
    ),
  );
}

/** @param {QuarantineNotice[]} quarantined */
export function renderQuarantined(quarantined) {
  if (quarantined.length === 0) return null;
  return card(
    { id: 'quarantined', title: 'Quarantined rows', count: quarantined.length, tone: 'warn' },
    h('p', { class: 'explain' }, 'Rows from the cloud this device could not take; the rest synced. A later good version replaces them.'),
    h(
      'ul',
      { class: 'items' },
      quarantined.map((q) =>
        h(
          'li',
          { class: 'item tone-warn', 'data-testid': `quarantined-${q.table}-${q.id ?? ''}` },
          h('div', { class: 'item-head' }, h('span', { class: 'table-name' }, q.table), ' ', q.id === null ? h('em', {}, '(no id)') : h('code', { class: 'row-id' }, q.id)),
          h('p', { class: 'reason' }, q.reason),
          h('p', { class: 'meta' }, 'Received ', ago(q.receivedAt, 'at an unknown time')),
        ),
      ),
    ),
  );
}


/**
 * A reason as a sentence, so more text can follow it.
 *
 * @param {string} text
 */
function sentence(text) {
  return /[.!?…]$/.test(text.trim()) ? text : `${text}.`;
}
