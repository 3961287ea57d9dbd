import type { Disposable } from '../engine/disposable.js';

/** How a value or a panel should read at a glance: fine, needs a look, or wrong. */
export type InspectorTone = 'ok' | 'warn' | 'bad';

/** A label and its value, e.g. "Last import" → "2026-12-04 18:02". */
export interface InspectorFact {
  readonly label: string;
  readonly value: string;
  readonly tone?: InspectorTone;
}

/** A cell of an inspector table: plain text or a number, never markup (the page escapes everything). */
export type InspectorCell = string | number | boolean | null;

/**
 * One block of a panel: a list of facts, or a table with a header. `empty` is what the
 * page shows for a table with no rows. `tones` colours whole rows (same length as `rows`).
 */
export type InspectorSection =
  | { readonly kind: 'facts'; readonly title?: string; readonly facts: readonly InspectorFact[] }
  | {
      readonly kind: 'table';
      readonly title?: string;
      readonly columns: readonly string[];
      readonly rows: readonly (readonly InspectorCell[])[];
      readonly tones?: readonly (InspectorTone | null)[];
      readonly empty?: string;
    };

/** What a panel shows now: a one-line summary (with its tone) and its sections. */
export interface InspectorView {
  readonly summary?: string;
  readonly tone?: InspectorTone;
  readonly sections: readonly InspectorSection[];
}

/** What an action did, in a sentence the person who pressed it can read. */
export interface InspectorActionResult {
  readonly message: string;
  readonly tone?: InspectorTone;
}

/**
 * A button on a panel, e.g. "Verify chains". It takes no input; it may read and write the
 * plugin's own tables and call its cloud functions. The page reloads the panel after it.
 */
export interface InspectorAction {
  /** Unique within the panel: letters, digits and dashes. */
  readonly id: string;
  readonly label: string;
  run(): InspectorActionResult | Promise<InspectorActionResult>;
}

/**
 * A panel a plugin adds to `equinox inspect`'s page, the device inspector: what its
 * domain looks like on this device (its records, their health, what is blocked). The page shows each
 * registered panel with its title, summary and sections, reloads it when the device's
 * state changes, and offers its actions. Everything in a view is text: the page never
 * renders it as markup.
 *
 * @example
 * context.subscriptions.push(context.inspector.registerPanel({
 *   id: 'clients',
 *   title: 'Clients',
 *   load: () => {
 *     const clients = context.store.query('clients');
 *     return { summary: `${clients.length} clients`, sections: [{ kind: 'table', columns: ['name'], rows: clients.slice(0, 20).map((c) => [String(c.name)]) }] };
 *   },
 *   actions: [{ id: 'check', label: 'Check e-mails', run: () => ({ message: 'all valid', tone: 'ok' }) }],
 * }));
 */
export interface InspectorPanel {
  /** Unique within the plugin: letters, digits and dashes. */
  readonly id: string;
  readonly title: string;
  load(): InspectorView | Promise<InspectorView>;
  readonly actions?: readonly InspectorAction[];
}

/**
 * Where a plugin registers its inspector panels. Registrations are removed when the
 * returned Disposable is disposed, and when the plugin deactivates.
 *
 * @example
 * context.subscriptions.push(context.inspector.registerPanel(clientsPanel(context)));
 */
export interface PluginInspector {
  registerPanel(panel: InspectorPanel): Disposable;
}
