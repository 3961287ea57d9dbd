import { Args, Flags } from '@oclif/core';
import { EquinoxCommand, withHost } from '@equinox-sync/host/command-kit';
import { SettingsApi, type Setting, type SettingScope } from '../../index.js';

export default class SettingsGet extends EquinoxCommand<typeof SettingsGet> {
  static override summary = 'Show a setting: this device\'s own value, else the tenant\'s.';
  static override description = 'Reads the device\'s copy, as of its last sync. Exits 1 when the setting is not set.';
  static override examples = ['<%= config.bin %> settings get receipt.footer', '<%= config.bin %> settings get printer --scope device --json'];
  static override args = { key: Args.string({ description: 'The setting\'s key.', required: true }) };
  static override flags = {
    scope: Flags.string({ summary: 'Read only the tenant\'s value, or only this device\'s.', options: ['tenant', 'device'] }),
  };

  async run(): Promise<Setting> {
    const scope = this.flags.scope as SettingScope | undefined;
    const setting = await withHost(this, (host) => host.api(SettingsApi).entry(this.args.key, scope === undefined ? {} : { scope }));
    if (setting === undefined) this.fail(`no setting "${this.args.key}"${scope === undefined ? '' : ` for the ${scope}`}`);
    this.log(`${typeof setting.value === 'string' ? setting.value : JSON.stringify(setting.value)}`);
    return setting;
  }
}
