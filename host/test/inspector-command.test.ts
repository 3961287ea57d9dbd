import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { installCloudSchema, tempDir, uniqueTenant } from '@equinox-sync/core/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientsPlugin } from '../../examples/plugin-clients/index.js';
import type { InspectorState } from '../src/index.js';
import { deviceConfig, equinox, EXAMPLE_PLUGIN_DIR, startEquinox } from './host-kit.js';
import { http } from './inspector-http.js';

const cloud = inject('cloud');

async function configFile(label: string): Promise<string> {
  const dir = tempDir(label);
  const file = join(dir, 'equinox.config.json');
  writeFileSync(file, JSON.stringify(await deviceConfig(cloud, { tenant: uniqueTenant(label), device: 'till', dir, plugins: [EXAMPLE_PLUGIN_DIR] })));
  return file;
}

function listening(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('equinox inspect', () => {
  beforeAll(() => installCloudSchema([clientsPlugin]));

  it('--json prints { url } first and serves the page, with the run of an earlier `equinox sync`, until SIGINT', async () => {
    const file = await configFile('inspect-json');
    expect((await equinox(['sync', '--config', file])).exit).toBe(0);

    const lines: string[] = [];
    const inspecting = startEquinox(['inspect', '--config', file, '--json'], { onLine: (line) => lines.push(line) });
    try {
      const { url } = JSON.parse(await inspecting.firstLine) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/$/);
      const state = (await http(`${url}api/state`)).json() as InspectorState;
      expect(state.runs[0]).toMatchObject({ trigger: 'manual', uploaded: 0, error: null });
      expect(state.device).toMatchObject({ deviceId: 'till', dbPath: expect.stringContaining('till.db') });
      const page = await http(url);
      expect([page.status, page.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    } finally {
      inspecting.child.kill('SIGINT');
    }
    const { code, stdout } = await inspecting.exited;
    expect(code).toBe(0);
    const printed = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(printed.at(-1)).toEqual({ stopped: true, signal: 'SIGINT' });
    expect(lines.length).toBe(printed.length);
  });

  it('prints the URL and how to stop for a person; a port in use names --port (exit 1), a port that is no number is a usage error (exit 2)', async () => {
    const file = await configFile('inspect-human');
    const inspecting = startEquinox(['inspect', '--config', file]);
    try {
      expect(await inspecting.firstLine).toMatch(/^Inspector of \S+till\.db \(tenant [^)]+\): http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/$/);
    } finally {
      inspecting.child.kill('SIGTERM');
    }
    const { code, stdout } = await inspecting.exited;
    expect(code).toBe(0);
    expect(stdout.split('\n')[1]).toBe('Ctrl-C to stop.');

    const taken = await listening();
    try {
      const port = (taken.address() as { port: number }).port;
      const busy = await equinox(['inspect', '--config', file, '--port', String(port)]);
      expect(busy.exit).toBe(1);
      expect(busy.stderr.trim()).toBe(`Error: --port ${port}: the port is in use; choose another, or leave --port out for a free one`);
    } finally {
      taken.close();
    }
    const usage = await equinox(['inspect', '--config', file, '--port', 'abc']);
    expect(usage.exit).toBe(2);
    expect(usage.stderr).toContain('--port: Expected an integer but received: abc');
  });

  it('--open with no browser to start says so and serves all the same', async () => {
    const file = await configFile('inspect-open');
    // No display, and a "browser" that fails: what a server or a till without one has.
    const env = { ...process.env, BROWSER: 'false', DISPLAY: '', WAYLAND_DISPLAY: '' };
    const inspecting = startEquinox(['inspect', '--config', file, '--open', '--json'], { env });
    try {
      const { url } = JSON.parse(await inspecting.firstLine) as { url: string };
      expect((await http(`${url}api/state`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      inspecting.child.kill('SIGINT');
    }
    const { code, stderr } = await inspecting.exited;
    expect(code).toBe(0);
    expect(stderr).toMatch(/^Could not open a browser \(.+\); open the URL above yourself\.$/m);
  });
});
