import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pluginFromPackageJson, type PluginContext } from '@equinox-sync/core/plugin';
import { CloudMarks, marksOf } from './api/cloud-marks.js';
import type { FiscalApi } from './api/fiscal-api.js';
import { INVOICES_TABLE } from './api/fiscal-rows.js';
import { FiscalService } from './api/fiscal-service.js';
import { InstallationKeyFile } from './api/installation-key-file.js';
import { FISCAL_SERVER_SQL } from './chain/fiscal-server-sql.js';
import { chainsPanel } from './inspector/chains-panel.js';

const manifestPath = fileURLToPath(new URL('../package.json', import.meta.url));

/**
 * Issued invoices are never altered: the table is append-only, the device's version
 * always wins, and rows of one chain (one per installation) upload strictly in order.
 * Amounts are exact decimal strings: binary floats cannot represent cents. The first
 * link of a chain carries the installation's public key (`public_key`), which the cloud
 * registers; every link carries the installation's Ed25519 `signature`. Unique indexes:
 * `(installation_id, chain_index)` and `(installation_id, prev_hash)`, so a chain cannot
 * fork; `(issuer_tax_id, series, number, record_kind)`, since numbers are per issuer and
 * series and a cancellation reuses its invoice's number.
 *
 * The tables are declared in package.json (`equinox.contributes.tables`); the cloud
 * SQL of the chain guard is code, so it is added here.
 *
 * @example
 * const [invoices] = fiscalPlugin.tables;
 */
export const fiscalPlugin = pluginFromPackageJson(JSON.parse(readFileSync(manifestPath, 'utf8')), {
  source: manifestPath,
  serverSql: FISCAL_SERVER_SQL,
});

/**
 * The chain guard's cloud SQL, which the host adds to the definition it derives from the
 * manifest (a manifest cannot hold code).
 *
 * @example
 * compileServerSchema([{ ...manifest.definition, serverSql }]);
 */
export const serverSql: string = FISCAL_SERVER_SQL;

/**
 * Called by the host when it starts; returns the {@link FiscalApi}, which apps and
 * commands reach with `host.api(FiscalApi)`. The installation is the device
 * (`installation_id` = its device id); its key pair lives in the plugin's storage folder.
 * Every push and pulled page of invoices raises the marks of what the cloud holds, so
 * `verify({ remote: true })` can tell a removed tail from a pending upload. The device
 * inspector gets a "Fiscal chains" panel (series, what waits to upload, verification).
 *
 * @example
 * const fiscal = await activate(context);
 * fiscal.issueInvoice({ issuerTaxId: 'B12345678', series: 'T1-', taxTotal: '21.00', grossTotal: '121.00' });
 */
export function activate(context: PluginContext): FiscalApi {
  const marks = new CloudMarks(context.storageDir);
  context.subscriptions.push(
    // What the cloud holds of a chain: what this device pushed (it does not pull its own rows back) and what it pulled.
    context.hooks.register({
      tables: [INVOICES_TABLE],
      afterUpload: (_table, rows) => marks.raise(marksOf(rows)),
      afterPull: (_table, rows) => marks.raise(marksOf(rows)),
    }),
  );
  const keys = new InstallationKeyFile(context.storageDir);
  const fiscal = new FiscalService({
    store: context.store,
    device: context.device,
    cloud: { rpc: (fn, args) => context.cloud.rpc(fn, args) },
    keys,
    marks,
  });
  context.subscriptions.push(context.inspector.registerPanel(chainsPanel({ fiscal, marks, keys })));
  return fiscal;
}
