import type { Disposable } from '../engine/disposable.js';
import type { InspectorPanel, PluginInspector } from './inspector-panel.js';

/** A registered panel and the plugin it belongs to. */
export interface RegisteredPanel {
  readonly plugin: string;
  readonly panel: InspectorPanel;
}

const PANEL_ID = /^[a-z0-9][a-z0-9-]*$/i;

/**
 * Every inspector panel the active plugins registered, in registration order. The host
 * owns one; each plugin gets {@link InspectorPanelRegistry.forPlugin}, which only adds
 * (no path to other plugins' panels). A plugin registering the same id twice is refused,
 * naming the plugin.
 *
 * @example
 * const registry = new InspectorPanelRegistry();
 * const registration = registry.forPlugin('@acme/clients').registerPanel(clientsPanel);
 * registry.list(); // [{ plugin: '@acme/clients', panel: clientsPanel }]
 * registration.dispose();
 */
export class InspectorPanelRegistry {
  private readonly panels: RegisteredPanel[] = [];

  /** What the plugin `plugin`'s context holds. */
  forPlugin(plugin: string): PluginInspector {
    return Object.freeze({ registerPanel: (panel: InspectorPanel) => this.register(plugin, panel) });
  }

  /** The registered panels, in registration order. */
  list(): readonly RegisteredPanel[] {
    return [...this.panels];
  }

  /** The panel `id` of `plugin`, or undefined. */
  find(plugin: string, id: string): InspectorPanel | undefined {
    return this.panels.find((entry) => entry.plugin === plugin && entry.panel.id === id)?.panel;
  }

  /** Removes every panel of `plugin` (the host calls it when the plugin deactivates). */
  removePlugin(plugin: string): void {
    for (let at = this.panels.length - 1; at >= 0; at -= 1) if (this.panels[at]!.plugin === plugin) this.panels.splice(at, 1);
  }

  private register(plugin: string, panel: InspectorPanel): Disposable {
    if (!PANEL_ID.test(panel.id)) throw new Error(`plugin "${plugin}": inspector panel id "${panel.id}" must be letters, digits and dashes`);
    for (const action of panel.actions ?? []) {
      if (!PANEL_ID.test(action.id)) throw new Error(`plugin "${plugin}": action id "${action.id}" of inspector panel "${panel.id}" must be letters, digits and dashes`);
    }
    if (this.find(plugin, panel.id) !== undefined) throw new Error(`plugin "${plugin}" already registered an inspector panel "${panel.id}"`);
    const entry: RegisteredPanel = { plugin, panel };
    this.panels.push(entry);
    return {
      dispose: () => {
        const at = this.panels.indexOf(entry);
        if (at >= 0) this.panels.splice(at, 1);
      },
    };
  }
}
