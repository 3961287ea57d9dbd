import { readKeysetPages } from '@equinox-sync/core/plugin';
import { CHAIN_EXPORT_MAX_LIMIT, chainFunctionNames } from '../chain/chain-export-sql.js';
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
 * the device's token (row-level security applies): the heads, then each chain's records,
 * page after page (`pageSize` per call, at most {@link CHAIN_EXPORT_MAX_LIMIT}) until a
 * page comes back short. An answer that cannot be whole (a page longer than asked for, a
 * row twice) is refused with an error naming the function, never taken for the whole chain.
 *
 * @example
 * const cloud = await readCloudChains((fn, args) => context.cloud.rpc(fn, args));
 */
export async function readCloudChains(rpc: CloudRpc, options: { table?: string; pageSize?: number } = {}): Promise<CloudChains> {
  const names = chainFunctionNames(options.table ?? INVOICES_TABLE);
  const limit = Math.min(options.pageSize ?? CHAIN_EXPORT_MAX_LIMIT, CHAIN_EXPORT_MAX_LIMIT);
  const heads = await readKeysetPages<CloudChainHead>({
    fn: names.heads,
    fetch: (after, pageLimit) => rpc(names.heads, { p_after: after, p_limit: pageLimit }),
    parse: (answer) => asArray(answer, names.heads).map(asHead),
    key: (head) => head.installation_id,
    limit,
  });
  const records: FiscalRecord[] = [];
  for (const head of heads) {
    const chain = await readKeysetPages<FiscalRecord>({
      fn: names.records,
      fetch: (after, pageLimit) => rpc(names.records, { p_installation: head.installation_id, p_after: after ?? 0, p_limit: pageLimit }),
      parse: (answer) => asArray(answer, names.records).map((row) => toFiscalRecord(asObject(row, names.records))),
      key: (record) => record.chain_index,
      limit,
    });
    records.push(...chain);
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
