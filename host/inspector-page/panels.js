// @ts-check
// Plugin panels, drawn generically: a title, a summary in its tone, facts as a definition
// list, tables as tables, and the panel's action buttons. The page knows no plugin.

import { reason } from './conflicts.js';
import { card, h, mark, show, table, toneWord } from './dom.js';

/** @typedef {import('./types.js').Panel} Panel */
/** @typedef {import('./types.js').Section} Section */
/** @typedef {import('./types.js').Tone} Tone */
/** @typedef {import('./types.js').PageContext} PageContext */

/**
 * @param {Panel[]} panels
 * @param {PageContext} ctx
 */
export function renderPanels(panels, ctx) {
  return panels.map((panel, index) => renderPanel(panel, index, ctx));
}

/**
 * @param {Panel} panel
 * @param {number} index
 * @param {PageContext} ctx
 */
function renderPanel(panel, index, ctx) {
  const key = `${panel.plugin}\u0000${panel.id}`;
  const view = panel.view;
  const tone = panel.error !== null ? 'bad' : (view?.tone ?? null);
  const last = ctx.panelMessages.get(key);

  /**
   * @param {{ id: string, label: string }} action
   * @param {Event} event
   */
  const run = async (action, event) => {
    const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
    const busyKey = `panel\u0000${key}\u0000${action.id}`;
    ctx.busy.add(busyKey);
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const answer = await ctx.post('api/panels/action', { plugin: panel.plugin, panel: panel.id, action: action.id });
      const message = typeof answer.message === 'string' ? answer.message : `${action.label}: done.`;
      const answerTone = answer.tone === 'bad' || answer.tone === 'warn' ? answer.tone : 'ok';
      ctx.panelMessages.set(key, { message, tone: answerTone });
      ctx.toast(`${panel.title}: ${message}`, answerTone);
    } catch (error) {
      ctx.panelMessages.set(key, { message: reason(error), tone: 'bad' });
      ctx.toast(`${panel.title}: ${action.label} failed: ${reason(error)}`, 'bad');
    } finally {
      ctx.busy.delete(busyKey);
      button.disabled = false;
      button.removeAttribute('aria-busy');
      ctx.refresh();
    }
  };

  return card(
    { id: `panel-${index}`, title: panel.title, tone, testid: `panel-${panel.plugin}-${panel.id}` },
    h('p', { class: 'plugin' }, panel.plugin),
    view?.summary ? h('p', { class: `summary${view.tone ? ` tone-${view.tone}` : ''}` }, mark(view.tone), view.summary) : null,
    panel.error === null ? null : h('p', { class: 'note tone-bad', role: 'alert' }, h('strong', {}, '✖ This panel could not load: '), panel.error),
    (view?.sections ?? []).map(renderSection),
    last ? h('p', { class: `note tone-${last.tone}`, role: 'status' }, mark(last.tone), last.message) : null,
    panel.actions.length === 0
      ? null
      : h(
          'div',
          { class: 'actions' },
          panel.actions.map((action) =>
            h('button', { type: 'button', 'data-testid': `panel-action-${action.id}`, disabled: ctx.busy.has(`panel\u0000${key}\u0000${action.id}`), onclick: (e) => run(action, e) }, action.label),
          ),
        ),
  );
}

/** @param {Section} section */
function renderSection(section) {
  const title = section.title ? h('h3', {}, section.title) : null;
  if (section.kind === 'facts') {
    return h(
      'div',
      { class: 'section' },
      title,
      h(
        'dl',
        { class: 'facts' },
        section.facts.map((fact) =>
          h('div', { class: fact.tone ? `tone-${fact.tone}` : undefined }, h('dt', {}, fact.label), h('dd', {}, mark(fact.tone), fact.value)),
        ),
      ),
    );
  }
  if (section.rows.length === 0) {
    return h('div', { class: 'section' }, title, h('p', { class: 'calm' }, section.empty ?? 'Nothing to show.'));
  }
  const tones = section.tones ?? [];
  return h(
    'div',
    { class: 'section' },
    title,
    table(
      [...section.columns],
      section.rows.map((cells, row) => cells.map((cell, column) => (column === 0 && tones[row] ? `${toneWord(tones[row])} ${show(cell)}` : show(cell)))),
      { rowAttrs: (row) => ({ class: tones[row] ? `tone-${tones[row]}` : undefined }), stack: section.columns.length > 4 },
    ),
  );
}
