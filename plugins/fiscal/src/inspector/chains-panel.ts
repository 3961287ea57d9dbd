import type { InspectorFact, InspectorPanel, InspectorView } from '@equinox-sync/core/plugin';
import type { CloudMarks } from '../api/cloud-marks.js';
import type { FiscalApi } from '../api/fiscal-api.js';
import type { InstallationKeyFile } from '../api/installation-key-file.js';
import { seriesLines, type SeriesLine } from './series-lines.js';
import { cloudFailure, count, verificationMessage } from './verification-messages.js';

/**
 * What the chains panel reads: the plugin's API (records and verification), the marks
 * of what the cloud was seen to hold, and the installation's key file.
 *
 * @example
 * const deps: ChainsPanelDeps = { fiscal, marks: new CloudMarks(context.storageDir), keys: new InstallationKeyFile(context.storageDir) };
 */
export interface ChainsPanelDeps {
  readonly fiscal: Pick<FiscalApi, 'installationId' | 'records' | 'verify'>;
  readonly marks: Pick<CloudMarks, 'read'>;
  readonly keys: Pick<InstallationKeyFile, 'read' | 'path'>;
}

/** The first characters of a huella: enough to match it by eye with a receipt or the cloud. */
const HASH_SHOWN = 12;

/**
 * The inspector's "Fiscal chains" panel: this device's chain and its series (records,
 * last number, last huella, how many the cloud holds and how many wait, the last date),
 * with actions that verify the chains here (`verify`) and against the cloud's copy
 * (`verify-remote`, a warning when offline).
 *
 * "Synced" counts the records at or below the chain length the device last saw the cloud
 * hold (its pulls echo every upload back), so a record uploaded but not pulled back yet
 * still counts as waiting until the next pull.
 *
 * @example
 * context.subscriptions.push(context.inspector.registerPanel(chainsPanel({ fiscal, marks, keys })));
 */
export function chainsPanel(deps: ChainsPanelDeps): InspectorPanel {
  return {
    id: 'chains',
    title: 'Fiscal chains',
    load: () => chainsView(deps),
    actions: [
      {
        id: 'verify',
        label: 'Verify chains',
        run: async () => verificationMessage(await deps.fiscal.verify(), deps.fiscal.records()),
      },
      {
        id: 'verify-remote',
        label: "Verify against the cloud's copy",
        run: async () => {
          try {
            return verificationMessage(await deps.fiscal.verify({ remote: true }), deps.fiscal.records());
          } catch (error) {
            return cloudFailure(error);
          }
        },
      },
    ],
  };
}

/**
 * The panel's view now.
 *
 * @example
 * chainsView({ fiscal, marks, keys }).summary; // '1 chain, 2 series, 143 documents, all synced'
 */
export function chainsView(deps: ChainsPanelDeps): InspectorView {
  const { fiscal } = deps;
  const records = fiscal.records();
  const marks = deps.marks.read();
  const lines = seriesLines(records, marks);
  const own = records.filter((record) => record.installation_id === fiscal.installationId);
  const last = own.reduce<(typeof own)[number] | undefined>((latest, record) => (latest === undefined || record.chain_index > latest.chain_index ? record : latest), undefined);
  const key = keyFact(deps, own.length);
  const inCloud = marks.get(fiscal.installationId)?.links ?? 0;
  const facts: InspectorFact[] = [
    { label: 'Installation', value: fiscal.installationId },
    { label: 'Links in its chain', value: String(last?.chain_index ?? 0) },
    { label: 'Last link', value: last === undefined ? 'none yet' : `${last.series}${last.number}, ${short(last.hash)}, issued ${last.issue_date}` },
    { label: 'Seen in the cloud', value: inCloud === 0 ? 'no link yet' : `${count(inCloud, 'link')} (as of the last pull)` },
    key,
  ];
  const waiting = lines.reduce((sum, line) => sum + line.waiting, 0);
  const chains = new Set(records.map((record) => record.installation_id)).size;
  // The installation column only matters when the device holds another installation's records (a restored copy).
  const foreign = lines.some((line) => line.installation !== fiscal.installationId);
  const state = waiting === 0 ? 'all synced' : `${waiting} waiting to upload`;
  return {
    summary: records.length === 0 ? 'No fiscal documents yet' : `${count(chains, 'chain')}, ${count(lines.length, 'series')}, ${count(records.length, 'document')}, ${state}`,
    tone: key.tone === 'bad' ? 'bad' : waiting > 0 ? 'warn' : 'ok',
    sections: [
      { kind: 'facts', title: 'This device', facts },
      {
        kind: 'table',
        title: 'Series',
        columns: ['series', ...(foreign ? ['installation'] : []), 'documents', 'last number', 'last hash', 'synced', 'waiting', 'last date'],
        rows: lines.map((line) => row(line, foreign)),
        tones: lines.map((line) => (line.waiting > 0 ? 'warn' : 'ok')),
        empty: 'No fiscal documents on this device yet.',
      },
    ],
  };
}

function row(line: SeriesLine, withInstallation: boolean): (string | number)[] {
  return [line.series, ...(withInstallation ? [line.installation] : []), line.documents, line.lastNumber, short(line.lastHash), line.synced, line.waiting, line.lastDate];
}

/** A chain with links but no key cannot grow: the next invoice would be refused. */
function keyFact(deps: ChainsPanelDeps, links: number): InspectorFact {
  let present: boolean;
  try {
    present = deps.keys.read() !== undefined;
  } catch (error) {
    return { label: 'Signing key', value: `unreadable at ${deps.keys.path}: ${error instanceof Error ? error.message : String(error)}`, tone: 'bad' };
  }
  if (present) return { label: 'Signing key', value: 'present', tone: 'ok' };
  if (links === 0) return { label: 'Signing key', value: 'not made yet (made with the first invoice)' };
  return { label: 'Signing key', value: `missing at ${deps.keys.path}: no invoice can be issued until it is restored`, tone: 'bad' };
}

function short(hash: string): string {
  return hash.length <= HASH_SHOWN ? hash : `${hash.slice(0, HASH_SHOWN)}…`;
}
