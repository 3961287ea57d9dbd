// @ts-check
// The conflict inbox (both versions side by side, a choice per differing field) and the
// held deletes (ticked, then confirmed). These are the two things the page changes on the
// device, so each button says exactly what it does.

import { ago, card, h, plural, show } from './dom.js';

/** @typedef {import('./types.js').Conflict} Conflict */
/** @typedef {import('./types.js').HeldDelete} HeldDelete */
/** @typedef {import('./types.js').PageContext} PageContext */
/** @typedef {import('./types.js').Row} Row */

/**
 * @param {Conflict[]} conflicts
 * @param {PageContext} ctx
 */
export function renderConflicts(conflicts, ctx) {
  if (conflicts.length === 0) return null;
  return card(
    { id: 'conflicts', title: 'Conflicts', count: conflicts.length, tone: 'bad' },
    h(
      'p',
      { class: 'explain' },
      'This device and the cloud both changed the same row. Keep one side, or pick per changed field and merge.',
    ),
    conflicts.map((conflict, index) => renderConflict(conflict, index, ctx)),
  );
}

/**
 * @param {Conflict} conflict
 * @param {number} index
 * @param {PageContext} ctx
 */
function renderConflict(conflict, index, ctx) {
  const key = `${conflict.table}\u0000${conflict.id}`;
  const choices = ctx.mergeChoices.get(key) ?? new Map();
  ctx.mergeChoices.set(key, choices);
  const differing = new Set(conflict.differing);
  const local = conflict.local;
  const remote = conflict.remote;
  const titleId = `conflict-${index}-title`;
  const busyKey = `conflict\u0000${key}`;
  const busy = ctx.busy.has(busyKey);

  /** @param {string} column */
  const rowFor = (column) => {
    if (!differing.has(column)) {
      return h('tr', {}, h('th', { scope: 'row' }, column), h('td', {}, value(local, column)), h('td', {}, value(remote, column)));
    }
    const name = `conflict-${index}-${column}`;
    const picked = choices.get(column) ?? 'local';
    /** @param {'local' | 'remote'} side */
    const option = (side) =>
      h(
        'td',
        { class: 'choice' },
        h(
          'label',
          {},
          h('input', {
            type: 'radio',
            name,
            value: side,
            checked: picked === side,
            'data-field': column,
            onchange: () => choices.set(column, side),
          }),
          h('span', { class: 'sr-only' }, side === 'local' ? `Use this device's ${column}: ` : `Use the cloud's ${column}: `),
          h('span', { class: 'value' }, value(side === 'local' ? local : remote, column)),
        ),
      );
    return h(
      'tr',
      { class: 'differs' },
      h('th', { scope: 'row' }, h('span', { class: 'marker', 'aria-hidden': 'true' }, '≠ '), column, h('span', { class: 'differs-word' }, ' differs')),
      option('local'),
      option('remote'),
    );
  };

  /**
   * @param {'local' | 'remote' | 'merged'} pick
   * @param {string} done
   * @param {Event} event
   */
  const resolve = async (pick, done, event) => {
    const buttons = /** @type {HTMLElement} */ (event.currentTarget).closest('.conflict')?.querySelectorAll('button') ?? [];
    for (const button of buttons) button.disabled = true;
    ctx.busy.add(busyKey);
    try {
      /** @type {{ table: string, id: string, pick: string, row?: Row }} */
      const body = { table: conflict.table, id: conflict.id, pick };
      if (pick === 'merged') body.row = merged(conflict, choices);
      const answer = await ctx.post('api/conflicts/resolve', body);
      ctx.toast(`${done} (${conflict.table} ${conflict.id}; ${plural(Number(answer.resolved ?? 0), 'conflict')} settled).`, 'ok');
      ctx.mergeChoices.delete(key);
    } catch (error) {
      ctx.toast(`Could not settle ${conflict.table} ${conflict.id}: ${reason(error)}`, 'bad');
    } finally {
      ctx.busy.delete(busyKey);
      for (const button of buttons) button.disabled = false;
      ctx.refresh();
    }
  };

  const canMerge = local !== null && remote !== null && conflict.differing.length > 0;
  return h(
    'article',
    { class: 'conflict', 'data-testid': `conflict-${conflict.table}-${conflict.id}`, 'aria-labelledby': titleId },
    h(
      'h3',
      { id: titleId },
      h('span', { class: 'table-name' }, conflict.table),
      ' ',
      h('code', { class: 'row-id' }, conflict.id),
    ),
    h(
      'p',
      { class: 'meta' },
      'Found ',
      ago(conflict.detectedAt, 'at an unknown time'),
      ` · ${conflict.differing.length} of ${conflict.columns.length} fields differ`,
      remote === null ? ' · deleted in the cloud' : null,
      local === null ? ' · deleted on this device' : null,
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'compare' },
        h('caption', { class: 'sr-only' }, `${conflict.table} ${conflict.id}: this device's version beside the cloud's`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'This device'), h('th', { scope: 'col' }, 'Cloud'))),
        h('tbody', {}, orderedColumns(conflict).map(rowFor)),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', 'data-action': 'keep-local', disabled: busy, onclick: (e) => resolve('local', "Kept this device's version", e) }, "Keep this device's"),
      h('button', { type: 'button', 'data-action': 'keep-cloud', disabled: busy, onclick: (e) => resolve('remote', "Kept the cloud's version", e) }, "Keep cloud's"),
      h(
        'button',
        { type: 'button', class: 'primary', 'data-action': 'merge', disabled: busy || !canMerge, onclick: (e) => resolve('merged', 'Merged the selected fields', e) },
        'Merge selected',
      ),
    ),
  );
}

/**
 * The differing fields first (they are what a person decides on), then the rest as declared.
 *
 * @param {Conflict} conflict
 */
function orderedColumns(conflict) {
  const differing = new Set(conflict.differing);
  const columns = conflict.columns.length > 0 ? conflict.columns : conflict.differing;
  return [...columns.filter((c) => differing.has(c)), ...columns.filter((c) => !differing.has(c))];
}

/**
 * This device's row with the fields chosen from the cloud replaced by the cloud's values.
 *
 * @param {Conflict} conflict
 * @param {Map<string, 'local' | 'remote'>} choices
 * @returns {Row}
 */
export function merged(conflict, choices) {
  /** @type {Row} */
  const row = { ...(conflict.local ?? {}) };
  for (const column of conflict.differing) {
    if (choices.get(column) === 'remote' && conflict.remote !== null) row[column] = conflict.remote[column];
  }
  return row;
}

/**
 * @param {Row | null} row
 * @param {string} column
 */
function value(row, column) {
  if (row === null) return h('em', {}, '(deleted)');
  const cell = row[column];
  return cell === null || cell === undefined ? h('em', { class: 'empty' }, '(empty)') : show(cell);
}

/**
 * @param {HeldDelete[]} deletes
 * @param {PageContext} ctx
 */
export function renderDeletes(deletes, ctx) {
  if (deletes.length === 0) return null;
  const present = new Set(deletes.map((d) => d.id));
  for (const id of ctx.chosenDeletes) if (!present.has(id)) ctx.chosenDeletes.delete(id);

  const confirm = h('button', { type: 'button', class: 'primary', 'data-testid': 'confirm-deletes' }, '');
  const boxes = /** @type {HTMLInputElement[]} */ ([]);
  const all = h('input', { type: 'checkbox', id: 'deletes-all' });
  const sync = () => {
    const n = ctx.chosenDeletes.size;
    confirm.textContent = n === 0 ? 'Confirm selected deletes' : `Confirm ${plural(n, 'selected delete')}`;
    confirm.disabled = n === 0 || ctx.busy.has('deletes');
    all.checked = n === deletes.length;
    all.indeterminate = n > 0 && n < deletes.length;
  };
  all.addEventListener('change', () => {
    for (const box of boxes) {
      box.checked = all.checked;
      if (all.checked) ctx.chosenDeletes.add(box.value);
      else ctx.chosenDeletes.delete(box.value);
    }
    sync();
  });
  confirm.addEventListener('click', async () => {
    const ids = [...ctx.chosenDeletes];
    confirm.disabled = true;
    ctx.busy.add('deletes');
    try {
      const answer = await ctx.post('api/deletes/confirm', { ids });
      const n = Number(answer.confirmed ?? 0);
      ctx.toast(`Confirmed ${plural(n, 'delete')}: the next sync deletes ${n === 1 ? 'the row' : 'the rows'} in the cloud.`, 'ok');
      ctx.chosenDeletes.clear();
    } catch (error) {
      ctx.toast(`Could not confirm the deletes: ${reason(error)}`, 'bad');
    } finally {
      ctx.busy.delete('deletes');
      sync();
      ctx.refresh();
    }
  });

  const items = deletes.map((held, index) => {
    const box = h('input', { type: 'checkbox', id: `delete-${index}`, value: held.id, checked: ctx.chosenDeletes.has(held.id) });
    box.addEventListener('change', () => {
      if (box.checked) ctx.chosenDeletes.add(held.id);
      else ctx.chosenDeletes.delete(held.id);
      sync();
    });
    boxes.push(box);
    return h(
      'li',
      { 'data-testid': `delete-${held.table}-${held.id}` },
      box,
      h(
        'label',
        { for: `delete-${index}` },
        h('span', { class: 'table-name' }, held.table),
        ' ',
        h('code', { class: 'row-id' }, held.id),
        h('span', { class: 'preview' }, held.preview),
      ),
    );
  });
  sync();
  return card(
    { id: 'deletes', title: 'Held deletes', count: deletes.length, tone: 'warn' },
    h('p', { class: 'explain' }, 'These rows were deleted on this device; the cloud keeps each one until you confirm its delete here.'),
    h('div', { class: 'select-all' }, all, h('label', { for: 'deletes-all' }, 'Select all')),
    h('ul', { class: 'picks' }, items),
    h('div', { class: 'actions' }, confirm),
  );
}

/** @param {unknown} error */
export function reason(error) {
  return error instanceof Error ? error.message : String(error);
}
