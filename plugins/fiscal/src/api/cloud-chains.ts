import { chainFunctionNames } from '../chain/chain-export-sql.js';
import type { FiscalRecord } from '../chain/fiscal-record.js';
import { FiscalError } from './fiscal-error.js';
import { INVOICES_TABLE, toFiscalRecord } from './fiscal-rows.js';

/**
 * One installation's chain as the cloud holds it: how many links, the last one's huella
 * and the public key the cloud registered for it.
 *
 * @example
 * const head: CloudChainHead = { installation_id: 'till-1', links: 3, last_index: 3, last_hash: '8F1C…', public_key: 'O2on…' };
 */
export interface CloudChainHead {
  readonly installation_id: string;
  readonly links: number;
  readonly last_index: number;
  readonly last_hash: string | null;
  readonly public_key: string | null;
}

/**
 * The cloud's copy of a tenant's chains: the heads, every record, and the registered keys.
 *
 * @example
 * const { records, keys } = await readCloudChains(context.cloud.rpc);
 */
export interface CloudChains {
  readonly heads: readonly CloudChainHead[];
  readonly records: readonly FiscalRecord[];
  readonly keys: ReadonlyMap<string, string>;
}

/** Calls one of the plugin's cloud functions, as `context.cloud.rpc` does. */
export type CloudRpc = (fn: string, args?: Record<string, unknown>) => Promise<unknown>;

/**
 * Reads the tenant's chains from the cloud through the plugin's export functions, with
 * the device's token (row-level security applies), a page of `pageSize` records per call.
 *
 * @example
 * const cloud = await readCloudChains((fn, args) => context.cloud.rpc(fn, args));
 */
export async function readCloudChains(rpc: CloudRpc, options: { table?: string; pageSize?: number } = {}): Promise<CloudChains> {
  const names = chainFunctionNames(options.table ?? INVOICES_TABLE);
  const pageSize = options.pageSize ?? 1000;
  const heads = asArray(await rpc(names.heads), names.heads).map(asHead);
  const records: FiscalRecord[] = [];
  for (const head of heads) {
    let after = 0;
    for (;;) {
      const args = { p_installation: head.installation_id, p_after: after, p_limit: pageSize };
      const page = asArray(await rpc(names.records, args), names.records).map((row) => toFiscalRecord(asObject(row, names.records)));
      records.push(...page);
      const last = page.at(-1);
      if (last === undefined || page.length < pageSize) break;
      after = last.chain_index;
    }
  }
  const keys = new Map(heads.flatMap((head) => (head.public_key === null ? [] : [[head.installation_id, head.public_key] as const])));
  return { heads, records, keys };
}

function asHead(value: unknown): CloudChainHead {
  const row = asObject(value, 'chain heads');
  if (typeof row.installation_id !== 'string') throw new FiscalError('the cloud answered chain heads without an installation id');
  return {
    installation_id: row.installation_id,
    links: Number(row.links),
    last_index: Number(row.last_index),
    last_hash: typeof row.last_hash === 'string' ? row.last_hash : null,
    public_key: typeof row.public_key === 'string' ? row.public_key : null,
  };
}

function asArray(value: unknown, fn: string): unknown[] {
  if (!Array.isArray(value)) throw new FiscalError(`the cloud's ${fn} answered ${typeof value}, not a list`);
  return value;
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FiscalError(`the cloud's ${what} holds a ${typeof value}, not a row`);
  return value as Record<string, unknown>;
}
