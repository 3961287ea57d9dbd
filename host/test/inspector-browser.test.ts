import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, installCloudSchema } from '@equinox-sync/core/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientsPlugin } from '../../examples/plugin-clients/index.js';
import { serveInspector } from '../src/index.js';
import { CLIENTS, inspectedDevice, PROBE } from './inspector-kit.js';

const cloud = inject('cloud');

/** Debian's Chromium (.ci/run installs it), driven headless over its debugging pipe. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Where the page's screenshots go when asked for (the README shows them). */
const SCREENSHOTS = process.env.EQUINOX_SCREENSHOTS;

describe('the inspector page in a real browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    await installCloudSchema([clientsPlugin]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A page of its own; every console error and uncaught exception (a CSP violation is one) is kept. */
  async function open(url: string, viewport: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(url);
    return { page, problems };
  }

  it('settles a conflict, confirms a held delete and runs a panel action through the page; the device changes', async () => {
    const { host, conflictId, heldId } = await inspectedDevice(cloud);
    const inspector = await serveInspector(host);
    try {
      const { page, problems } = await open(inspector.url, { width: 1280, height: 900 });
      const conflict = page.getByTestId(`conflict-clients-${conflictId}`);
      await conflict.waitFor();
      await expect(page.getByTestId('status-online').textContent()).resolves.toContain('online');
      await page.getByTestId('runs-chart').first().waitFor();
      await page.getByTestId(`panel-${PROBE}-healthy`).waitFor();
      await expect(page.getByTestId(`panel-${PROBE}-broken`).textContent()).resolves.toContain('the probe could not read its table');
      if (SCREENSHOTS !== undefined) await screenshots(page, inspector.url);

      await conflict.locator('[data-action="keep-cloud"]').click();
      expect(await eventually(() => host.conflicts.list().length === 0, 5_000)).toBe(true);
      expect(host.store(CLIENTS).get('clients', conflictId)).toMatchObject({ email: 'ada@example.com', phone: '600000002' });
      await conflict.waitFor({ state: 'detached' });

      await page.getByTestId(`delete-clients-${heldId}`).locator('input[type="checkbox"]').check();
      await page.getByTestId('confirm-deletes').click();
      expect(await eventually(() => host.deletes.list().length === 0, 5_000)).toBe(true);
      expect(host.rowState('clients', heldId)).toBe('PendingUpload');
      await page.getByTestId(`delete-clients-${heldId}`).waitFor({ state: 'detached' });

      await page.getByTestId('panel-action-ping').click();
      await page.getByText('pong 1').first().waitFor();
      expect(problems).toEqual([]);
    } finally {
      await inspector.close();
    }
  });
});

/** Full-page PNGs of the page as a desktop and a till's small screen show it. */
async function screenshots(desktop: Page, url: string): Promise<void> {
  const dir = SCREENSHOTS as string;
  mkdirSync(dir, { recursive: true });
  await desktop.screenshot({ path: join(dir, 'inspector-desktop.png'), fullPage: true });
  const small = await desktop.context().browser()!.newPage({ viewport: { width: 480, height: 800 } });
  try {
    await small.goto(url);
    await small.getByTestId('runs-chart').first().waitFor();
    await small.screenshot({ path: join(dir, 'inspector-small.png'), fullPage: true });
  } finally {
    await small.close();
  }
}
