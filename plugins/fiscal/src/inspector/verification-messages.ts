import { RemoteError, type InspectorActionResult } from '@equinox-sync/core/plugin';
import type { FiscalRecord } from '../chain/fiscal-record.js';
import type { FiscalBreak, FiscalVerification } from '../api/fiscal-api.js';

/** What each reason means to someone who runs a shop, not to the verifier. */
const MEANING: Readonly<Record<FiscalBreak['reason'], string>> = {
  'chain-index': 'a record is missing, repeated or out of place',
  'prev-hash': 'it does not point at the record before it',
  'invalid-field': 'a field holds a value no valid record can hold',
  preimage: 'its content was changed after it was issued',
  hash: 'its hash does not match its content',
  'public-key': "the installation's key is unknown or not the registered one",
  signature: 'its signature does not match its content',
  'number-gap': 'its series skips a number',
  'number-duplicate': 'its series repeats a number',
  cancellation: 'it cancels no issued invoice, or one already cancelled',
  correction: 'it corrects no issued invoice',
  'missing-in-cloud': 'the cloud no longer holds a record it held',
  'missing-on-device': 'the cloud holds records this device lacks',
  differs: 'the device and the cloud hold different records here',
};

/** Long enough to tell two values apart, short enough for one line on a till. */
const SHOWN = 32;
/** Characters kept before the first difference, so the field that differs is named. */
const LEAD = 16;

/**
 * A verification as an inspector action's answer: the counts when every link holds
 * (ok), else the first broken link with the invoice found there, what it means, and
 * what was expected and found (bad).
 *
 * @example
 * verificationMessage(await fiscal.verify(), fiscal.records());
 * // { message: '1 chain verified, 143 documents intact', tone: 'ok' }
 */
export function verificationMessage(result: FiscalVerification, records: readonly FiscalRecord[]): InspectorActionResult {
  if (result.brokenAt !== null) return { message: breakMessage(result.brokenAt, records), tone: 'bad' };
  const device = `${count(result.chains, 'chain')} verified, ${count(result.records, 'document')} intact`;
  if (result.cloud === undefined) return { message: device, tone: 'ok' };
  const { chains, records: held, pending } = result.cloud;
  const waiting = pending === 0 ? '' : `; ${count(pending, 'document')} waiting to upload`;
  return { message: `${device} on this device; the cloud's copy (${count(chains, 'chain')}, ${count(held, 'document')}) agrees${waiting}`, tone: 'ok' };
}

/**
 * One sentence naming the first broken link: its chain, position, the invoice there
 * (series and number, id) when the device holds it, and why.
 *
 * @example
 * breakMessage({ where: 'device', chain: 'till-1', index: 2, reason: 'preimage', expected: 'IDEmisor…', found: 'IDEmisor…' }, records);
 * // 'Chain "till-1" is broken at link 2 on this device, invoice T1-2 (id 0190…): its content was changed after it was issued (preimage). Expected "IDEmisor…", found "IDEmisor…".'
 */
export function breakMessage(broken: FiscalBreak, records: readonly FiscalRecord[]): string {
  const where = broken.where === 'device' ? 'on this device' : 'in the cloud';
  const record = records.find((candidate) => candidate.installation_id === broken.chain && candidate.chain_index === broken.index);
  // Two preimages share a long prefix: show both from just before where they part.
  const start = Math.max(0, firstDifference(broken.expected, broken.found) - LEAD);
  const invoice = record === undefined ? '' : `, ${record.record_kind === 'cancellation' ? 'the cancellation of invoice' : 'invoice'} ${record.series}${record.number} (id ${record.id})`;
  return (
    `Chain "${broken.chain}" is broken at link ${broken.index} ${where}${invoice}: ${MEANING[broken.reason]} (${broken.reason}). ` +
    `Expected "${excerpt(broken.expected, start)}", found "${excerpt(broken.found, start)}".`
  );
}

/**
 * The answer when the cloud's copy could not be read: offline or refused is a warning
 * (the device's own chains are not in question), anything else a fault.
 *
 * @example
 * try { … } catch (error) { return cloudFailure(error); } // { message: "The cloud's copy could not be read (…)…", tone: 'warn' }
 */
export function cloudFailure(error: unknown): InspectorActionResult {
  const why = error instanceof Error ? error.message : String(error);
  if (error instanceof RemoteError) {
    return { message: `The cloud's copy could not be read (${why}). Nothing was compared; try again when the device is online.`, tone: 'warn' };
  }
  return { message: `The cloud's copy could not be verified: ${why}`, tone: 'bad' };
}

/**
 * `1 document`, `3 documents`: a count with its noun.
 *
 * @example
 * count(2, 'chain'); // '2 chains'
 */
export function count(n: number, noun: string): string {
  return `${n} ${n === 1 || noun.endsWith('s') ? noun : `${noun}s`}`;
}

function firstDifference(a: string, b: string): number {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at += 1;
  return at;
}

function excerpt(text: string, start: number): string {
  const from = Math.min(start, Math.max(0, text.length - SHOWN));
  return `${from > 0 ? '…' : ''}${text.slice(from, from + SHOWN)}${from + SHOWN < text.length ? '…' : ''}`;
}
