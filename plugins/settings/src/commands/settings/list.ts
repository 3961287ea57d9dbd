import { EquinoxCommand, printTable, withHost } from '@equinox-sync/host/command-kit';
import { SettingsApi, type Setting } from '../../index.js';

export default class SettingsList extends EquinoxCommand<typeof SettingsList> {
  static override summary = 'List the settings that apply to this device: the tenant\'s and its own.';
  static override examples = ['<%= config.bin %> settings list', '<%= config.bin %> settings list --json'];

  async run(): Promise<Setting[]> {
    const settings = await withHost(this, (host) => host.api(SettingsApi).list());
    if (settings.length === 0) this.log('No settings.');
    else printTable(this, ['key', 'scope', 'value'], settings.map((s) => [s.key, s.scope === 'device' ? `device ${s.deviceId}` : 'tenant', JSON.stringify(s.value)]));
    return settings;
  }
}
