import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectorPanelRegistry, LocalStore } from '@equinox-sync/core';
import { parsePluginManifest, type PluginContext, type SyncHook } from '@equinox-sync/core/plugin';
import { describe, expect, it } from 'vitest';
import { activate, CloudMarks, fiscalPlugin, serverSql } from './index.js';

describe('fiscal plugin declaration', () => {
  it('declares invoices append-only, local-wins, ordered by installation chain', () => {
    const [invoices] = fiscalPlugin.tables;
    expect(invoices?.name).toBe('invoices');
    expect(invoices?.appendOnly).toBe(true);
    expect(invoices?.strategy).toBe('LocalWins');
    expect(invoices?.orderingKey).toEqual(['installation_id']);
    expect(invoices?.indexes).toContainEqual({ columns: ['installation_id', 'chain_index'], unique: true });
    expect(invoices?.indexes).toContainEqual({ columns: ['installation_id', 'prev_hash'], unique: true });
    expect(invoices?.indexes).toContainEqual({ columns: ['issuer_tax_id', 'series', 'number', 'record_kind'], unique: true });
  });

  it('carries the installation key and signature of the chain', () => {
    const names = fiscalPlugin.tables[0]?.columns.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['chain_index', 'prev_hash', 'preimage', 'hash', 'public_key', 'signature']));
  });

  it('keeps amounts as exact decimal text, never binary floats', () => {
    const amounts = fiscalPlugin.tables[0]?.columns.filter((c) => c.name.endsWith('_total'));
    expect(amounts?.map((c) => c.type)).toEqual(['text', 'text']);
  });

  it('is declared in its package.json manifest, with an activate for the host', () => {
    const manifest = parsePluginManifest(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')));
    expect(manifest).toMatchObject({ name: fiscalPlugin.name, engines: { equinox: '^0.1.0' }, activationEvents: ['onStartup'], main: './dist/index.js' });
    expect(manifest.definition.tables).toEqual(fiscalPlugin.tables);
    expect(typeof activate).toBe('function');
  });

  it('adds the chain guard to the cloud SQL, which the manifest cannot hold', () => {
    expect(fiscalPlugin.serverSql).toBe(serverSql);
    expect(serverSql).toContain('before insert on public.invoices');
  });

  it('activate returns the fiscal API and raises the cloud marks with every push and pulled page of invoices', () => {
    const dir = mkdtempSync(join(tmpdir(), 'equinox-fiscal-activate-'));
    const store = LocalStore.open({ path: join(dir, 'till.db'), plugins: [fiscalPlugin], tenantId: 't', deviceId: 'till-7' });
    const hooks: SyncHook[] = [];
    const context = {
      plugin: { name: fiscalPlugin.name, version: fiscalPlugin.version, dir: undefined },
      device: { tenantId: 't', deviceId: 'till-7', role: 'store' },
      storageDir: dir,
      cloud: { rpc: () => Promise.reject(new Error('offline')) },
      subscriptions: [],
      store: store.forPlugin(fiscalPlugin.name),
      hooks: {
        register: (hook: SyncHook) => {
          hooks.push(hook);
          return { dispose: () => undefined };
        },
      },
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      inspector: new InspectorPanelRegistry().forPlugin(fiscalPlugin.name),
    } as unknown as PluginContext;
    try {
      const fiscal = activate(context);
      expect(fiscal.installationId).toBe('till-7');
      const record = fiscal.issueInvoice({ issuerTaxId: 'B12345678', series: 'T7-', taxTotal: '1.00', grossTotal: '2.00' });
      expect(record).toMatchObject({ installation_id: 'till-7', number: 1, chain_index: 1 });
      expect(context.subscriptions).toHaveLength(2); // the upload and pull hook, and the inspector's chains panel
      expect(hooks[0]?.tables).toEqual(['invoices']);
      void hooks[0]?.afterPull?.('invoices', [{ ...record }]);
      expect(new CloudMarks(dir).read().get('till-7')).toEqual({ links: 1, lastHash: record.hash });
      const second = fiscal.issueInvoice({ issuerTaxId: 'B12345678', series: 'T7-', taxTotal: '1.00', grossTotal: '2.00' });
      void hooks[0]?.afterUpload?.('invoices', [{ ...second }]);
      expect(new CloudMarks(dir).read().get('till-7')).toEqual({ links: 2, lastHash: second.hash });
    } finally {
      store.close();
    }
  });
});
