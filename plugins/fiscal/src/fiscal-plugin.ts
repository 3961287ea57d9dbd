import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pluginFromPackageJson, type PluginContext } from '@equinox-sync/core';
import { FISCAL_SERVER_SQL } from './chain/fiscal-server-sql.js';

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
 * Called by the host when it starts. Fiscal has no hooks yet: its rules are declared
 * in the manifest and enforced by core and the cloud.
 *
 * @example
 * await activate(context);
 */
export function activate(context: PluginContext): void {
  context.logger.debug(`activated with tables ${fiscalPlugin.tables.map((table) => table.name).join(', ')}`);
}
