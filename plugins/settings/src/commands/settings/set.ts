import { Args, Flags } from '@oclif/core';
import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
import { parseSettingValue, SettingsApi, type Setting, type SettingScope } from '../../index.js';

export default class SettingsSet extends EquinoxCommand<typeof SettingsSet> {
  static override summary = 'Set a setting for the tenant, or for this device only.';
  static override description =
    'VALUE is read as JSON when it parses (21, true, {"port":9100}, "021"), else as text. The change is written locally and uploads with the next sync; if the back office changed the same setting meanwhile, the cloud\'s value wins.';
  static override examples = [
    '<%= config.bin %> settings set receipt.footer "Thank you!"',
    '<%= config.bin %> settings set printer \'{"port":9100}\' --scope device --json',
  ];
  static override args = {
    key: Args.string({ description: 'The setting\'s key.', required: true }),
    value: Args.string({ description: 'The value: JSON, or text.', required: true }),
  };
  static override flags = {
    scope: Flags.string({ summary: 'Whom the value applies to.', options: ['tenant', 'device'], default: 'tenant' }),
  };

  async run(): Promise<Setting> {
    const scope = this.flags.scope as SettingScope;
    const value = parseSettingValue(this.args.value);
    const setting = await withHost(this, (host) => host.api(SettingsApi).set(this.args.key, value, { scope }));
    this.log(`Set ${setting.key} = ${JSON.stringify(setting.value)} (${scope === 'device' ? `device ${setting.deviceId}` : 'tenant'}). It uploads with the next sync.`);
    return setting;
  }
}
