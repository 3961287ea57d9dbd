import type { PluginInfo } from '../../plugins/plugin-info.js';
import { EquinoxCommand } from '../../cli/equinox-command.js';
import { withHost } from '../../cli/open-host.js';
import { printTable } from '../../cli/print-table.js';

/** One line of `plugins list --json`. */
export interface PluginLine {
  name: string;
  /** The manifest's `displayName`, or the name when it declares none. */
  displayName: string;
  version: string | null;
  tables: { name: string; strategy: string }[];
  /** `inactive`: loaded, its tables open and synced, but none of its activation events happened. */
  state: 'active' | 'inactive' | 'failed';
  error: string | null;
}

export default class PluginsList extends EquinoxCommand<typeof PluginsList> {
  static override summary = 'List the plugins: display name, version, tables, strategies, and whether each is active, inactive (and what activates it) or failed (and why).';
  static override examples = ['<%= config.bin %> plugins list', '<%= config.bin %> plugins list --json'];

  async run(): Promise<PluginLine[]> {
    const { lines, events } = await withHost(this, (host) => {
      const strategies = new Map(host.definitions().flatMap((d) => d.tables.map((t) => [t.name, t.strategy] as const)));
      const plugins = host.plugins();
      return {
        events: plugins.map((plugin) => plugin.activationEvents ?? []),
        lines: plugins.map((plugin: PluginInfo) => ({
          name: plugin.name,
          displayName: plugin.displayName ?? plugin.name,
          version: plugin.version ?? null,
          tables: plugin.tables.map((name) => ({ name, strategy: strategies.get(name) ?? '-' })),
          state: plugin.state,
          error: plugin.error ?? null,
        })),
      };
    });
    printTable(
      this,
      ['plugin', 'package', 'version', 'tables (strategy)', 'state'],
      lines.map((p, index) => [p.displayName, p.name, p.version ?? '?', p.tables.map((t) => `${t.name} (${t.strategy})`).join(', '), stateOf(p, events[index] ?? [])]),
    );
    return lines;
  }
}

/** `active`, `inactive (onCommand:…)` with what would activate it, or `failed: why`. */
function stateOf(line: PluginLine, events: readonly string[]): string {
  if (line.state === 'failed') return `failed: ${line.error}`;
  return line.state === 'inactive' ? `inactive (${events.join(', ')})` : 'active';
}
