import type { InspectorFact, InspectorPanel, InspectorTone, InspectorView, PluginContext } from '@equinox-sync/core/plugin';
import type { LocalLicensing } from '../licence/licence.js';
import type { SettingsApi } from '../settings-api.js';
import { licenceReading, type LicenceReading } from './licence-reading.js';

/**
 * What the licence panel reads: the plugin's API (the gate's last decision, the
 * settings), the device's copy of the licensing rows, and who the device is.
 *
 * @example
 * const deps: LicencePanelDeps = { settings, local: () => localLicensing(context.store), device: context.device };
 */
export interface LicencePanelDeps {
  readonly settings: Pick<SettingsApi, 'licenceStatus' | 'list'>;
  readonly local: () => LocalLicensing;
  readonly device: Pick<PluginContext['device'], 'deviceId'>;
  readonly now?: () => number;
}

/** A licence ending within this many days reads as a warning: time to renew. */
export const RENEWAL_WARNING_DAYS = 14;

const DAY_MS = 86_400_000;
/** The device id the cloud writes back-office changes under. */
const BACK_OFFICE = 'equinox.cloud';

/**
 * The inspector's "Licence" panel: the licence this device sees (valid, expired,
 * missing, past the device limit, or not checkable), its plan, expiry and number of
 * devices, who decided and when, what is blocked while it is not valid (uploads: changes
 * stay queued, pulls go on), and the settings held on this device.
 *
 * @example
 * context.subscriptions.push(context.inspector.registerPanel(licencePanel({ settings, local: () => localLicensing(context.store), device: context.device })));
 */
export function licencePanel(deps: LicencePanelDeps): InspectorPanel {
  return { id: 'licence', title: 'Licence', load: () => licenceView(deps) };
}

/**
 * The panel's view now.
 *
 * @example
 * licenceView(deps).summary; // 'Licence pro valid until 2027-03-01 (3 devices)'
 */
export function licenceView(deps: LicencePanelDeps): InspectorView {
  const now = (deps.now ?? Date.now)();
  const reading = licenceReading(deps.settings.licenceStatus(), deps.local(), now);
  const daysLeft = reading.licence === null ? null : Math.floor((Date.parse(reading.licence.validUntil) - now) / DAY_MS);
  const expiring = reading.state === 'valid' && daysLeft !== null && daysLeft < RENEWAL_WARNING_DAYS;
  const tone: InspectorTone = STATE[reading.state].tone === 'ok' && expiring ? 'warn' : STATE[reading.state].tone;
  return {
    summary: summary(reading, daysLeft),
    tone,
    sections: [
      { kind: 'facts', title: 'Licence', facts: licenceFacts(reading, deps.device.deviceId, daysLeft, tone) },
      { kind: 'facts', title: 'Settings', facts: settingsFacts(deps.settings) },
    ],
  };
}

const STATE: Readonly<Record<LicenceReading['state'], { readonly words: string; readonly tone: InspectorTone }>> = {
  valid: { words: 'valid', tone: 'ok' },
  unmanaged: { words: 'not required for this tenant', tone: 'ok' },
  missing: { words: 'missing', tone: 'bad' },
  expired: { words: 'expired', tone: 'bad' },
  'device-limit': { words: 'valid, but this device is past its number of devices', tone: 'bad' },
  unknown: { words: 'could not be checked', tone: 'warn' },
};

function summary(reading: LicenceReading, daysLeft: number | null): string {
  const { licence, state } = reading;
  const paused = reading.reason === null ? '' : reading.decidedBy === 'not-checked' ? ': uploads pause at the next sync' : ': uploads paused';
  switch (state) {
    case 'unmanaged':
      return 'No licence required for this tenant';
    case 'valid':
      return `Licence${licence === null ? '' : ` ${licence.plan}`} valid until ${day(licence?.validUntil)}${daysLeft !== null && daysLeft < RENEWAL_WARNING_DAYS ? ` (${plural(daysLeft, 'day')} left)` : ''}`;
    case 'expired':
      return `Licence expired on ${day(licence?.validUntil)}${paused}`;
    case 'missing':
      return `No valid licence (${reading.revoked ? 'revoked' : 'none issued'})${paused}`;
    case 'device-limit':
      return `This device is past the licence's limit${licence === null ? '' : ` of ${plural(licence.maxDevices, 'device')}`}${paused}`;
    case 'unknown':
      return `The licence could not be checked${paused}`;
  }
}

function validityTone(daysLeft: number | null): { tone?: InspectorTone } {
  if (daysLeft === null) return {};
  return daysLeft < 0 ? { tone: 'bad' } : daysLeft < RENEWAL_WARNING_DAYS ? { tone: 'warn' } : {};
}

function licenceFacts(reading: LicenceReading, deviceId: string, daysLeft: number | null, tone: InspectorTone): InspectorFact[] {
  const { licence } = reading;
  const facts: InspectorFact[] = [{ label: 'State', value: STATE[reading.state].words, tone }];
  if (licence !== null) {
    facts.push(
      { label: 'Plan', value: licence.plan },
      { label: 'Valid until', value: `${licence.validUntil} (${daysLeft !== null && daysLeft >= 0 ? `${plural(daysLeft, 'day')} left` : 'passed'})`, ...validityTone(daysLeft) },
      { label: 'Devices allowed', value: String(licence.maxDevices) },
      { label: 'Features', value: features(licence.features) },
    );
  }
  facts.push(
    { label: 'This device', value: seat(reading, deviceId), ...(reading.state === 'device-limit' ? { tone: 'bad' as const } : {}) },
    { label: 'Checked', value: checked(reading) },
    reading.reason === null
      ? { label: 'Blocked', value: 'nothing: uploads go on', tone: 'ok' }
      : { label: 'Blocked', value: 'uploads: changes stay queued on this device and go up once the licence is valid; pulls go on', tone: 'bad' },
  );
  if (reading.reason !== null) facts.push({ label: 'Reason', value: reading.reason });
  return facts;
}

function seat(reading: LicenceReading, deviceId: string): string {
  if (reading.state === 'device-limit') return `${deviceId}: refused by the cloud, past the licence's number of devices`;
  if (reading.decidedBy === 'cloud' && reading.state === 'valid') return `${deviceId}: accepted by the cloud`;
  if (reading.decidedBy === 'not-checked') return `${deviceId}: not registered with the cloud since the device started`;
  return deviceId;
}

function checked(reading: LicenceReading): string {
  const at = reading.checkedAt === null ? '' : ` at ${new Date(reading.checkedAt).toISOString()}`;
  if (reading.decidedBy === 'cloud') return `by the cloud${at}`;
  if (reading.decidedBy === 'device') return `on this device's copy${at} (the cloud could not be asked)`;
  return "not yet: the next sync asks the cloud; shown is this device's copy";
}

function settingsFacts(settings: Pick<SettingsApi, 'list'>): InspectorFact[] {
  const list = settings.list();
  const own = list.filter((setting) => setting.scope === 'device').length;
  const latest = list.reduce<string | undefined>((last, setting) => (last === undefined || setting.updatedAt > last ? setting.updatedAt : last), undefined);
  return [
    { label: 'Settings', value: `${list.length} (${list.length - own} for the tenant, ${own} for this device only)` },
    { label: 'Last change', value: latest === undefined ? 'none' : change(latest) },
  ];
}

/** An HLC (`<wall ms>-<counter>-<device>`) as a date and who wrote it. */
function change(hlc: string): string {
  const parts = /^(\d+)-\d+-(.+)$/.exec(hlc);
  if (parts === null) return hlc;
  const by = parts[2] === BACK_OFFICE ? 'the back office' : `device ${parts[2]}`;
  return `${new Date(Number(parts[1])).toISOString()} by ${by}`;
}

function features(value: unknown): string {
  if (value === null || value === undefined) return 'none listed';
  if (typeof value === 'object' && !Array.isArray(value)) {
    const on = Object.entries(value as Record<string, unknown>).map(([name, flag]) => (flag === true ? name : `${name}: ${JSON.stringify(flag)}`));
    return on.length === 0 ? 'none listed' : clipped(on.join(', '));
  }
  return clipped(JSON.stringify(value));
}

function clipped(text: string): string {
  return text.length <= 120 ? text : `${text.slice(0, 120)}…`;
}

function day(iso: string | undefined): string {
  return iso === undefined ? 'an unknown date' : iso.slice(0, 10);
}

function plural(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`;
}
