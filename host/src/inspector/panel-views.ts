import type { InspectorActionResult, InspectorPanel, RegisteredPanel } from '@equinox-sync/core';
import { HttpError } from './http-answers.js';
import type { InspectorPanelState } from './inspector-state.js';

/** How long a panel may take to load or act before the page is told it did not answer. */
const PANEL_TIMEOUT_MS = 5000;

/**
 * Every registered panel with what it shows now. A panel whose `load` throws (or hangs)
 * shows why, in its place; the others load all the same.
 *
 * @example
 * const panels = await loadPanels(host.panels());
 */
export function loadPanels(panels: readonly RegisteredPanel[]): Promise<InspectorPanelState[]> {
  return Promise.all(
    panels.map(async ({ plugin, panel }) => {
      const actions = (panel.actions ?? []).map(({ id, label }) => ({ id, label }));
      const base = { plugin, id: panel.id, title: panel.title, actions };
      try {
        return { ...base, view: await timed(() => panel.load(), `panel "${panel.id}" did not load`), error: null };
      } catch (error) {
        return { ...base, view: null, error: messageOf(error) };
      }
    }),
  );
}

/**
 * Runs one action of one panel: a 404 naming the plugin, the panel or the action that is
 * not there; a 500 with the action's own words when it throws.
 *
 * @example
 * const { message, tone } = await runPanelAction(host.panels(), { plugin: '@acme/notes', panel: 'notes', action: 'check' });
 */
export async function runPanelAction(
  panels: readonly RegisteredPanel[],
  wanted: { readonly plugin: string; readonly panel: string; readonly action: string },
): Promise<Required<InspectorActionResult>> {
  const ofPlugin = panels.filter((entry) => entry.plugin === wanted.plugin);
  if (ofPlugin.length === 0) throw new HttpError(404, `plugin "${wanted.plugin}" has no inspector panel`);
  const panel: InspectorPanel | undefined = ofPlugin.find((entry) => entry.panel.id === wanted.panel)?.panel;
  if (panel === undefined) throw new HttpError(404, `plugin "${wanted.plugin}" has no panel "${wanted.panel}"`);
  const action = panel.actions?.find((candidate) => candidate.id === wanted.action);
  if (action === undefined) throw new HttpError(404, `panel "${wanted.panel}" of plugin "${wanted.plugin}" has no action "${wanted.action}"`);
  try {
    const result = await timed(() => action.run(), `action "${action.label}" did not finish`);
    return { message: result.message, tone: result.tone ?? 'ok' };
  } catch (error) {
    throw new HttpError(500, `${action.label}: ${messageOf(error)}`);
  }
}

/** Runs `work`, giving up after {@link PANEL_TIMEOUT_MS} with `late` (the work itself goes on: it cannot be cancelled). */
async function timed<T>(work: () => T | Promise<T>, late: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${late} within ${PANEL_TIMEOUT_MS / 1000} s`)), PANEL_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
