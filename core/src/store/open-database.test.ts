import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { definePlugin } from '../declarations/index.js';
import { LocalStore } from './local-store.js';

const plugin = definePlugin({
  name: 'notes',
  version: '1.0.0',
  tables: [{ name: 'notes', columns: { title: { type: 'text' } }, strategy: 'LastWriteWins' }],
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eq-modes-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('database file modes', () => {
  it('creates the database 0600 in a new folder 0700, and SQLite gives -wal and -shm the same mode', () => {
    const previous = process.umask(0o022);
    onTestFinished(() => void process.umask(previous));
    const folder = join(tempDir(), 'tills', 'till-1');
    const path = join(folder, 'device.db');
    const store = LocalStore.open({ path, plugins: [plugin], tenantId: 'tenant-a' });
    onTestFinished(() => store.close());
    store.forPlugin('notes').insert('notes', { title: 'written, so the WAL holds a frame' });
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(existsSync(`${path}-shm`)).toBe(true);
    expect({ db: mode(path), wal: mode(`${path}-wal`), shm: mode(`${path}-shm`) }).toEqual({ db: 0o600, wal: 0o600, shm: 0o600 });
    expect(mode(folder)).toBe(0o700);
    expect(mode(join(folder, '..'))).toBe(0o700);
  });

  it('narrows an existing database readable by others (and its -wal, -shm) to 0600, and leaves its folder alone', () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const path = join(dir, 'device.db');
    LocalStore.open({ path, plugins: [plugin], tenantId: 'tenant-a' }).close();
    chmodSync(path, 0o644);
    writeFileSync(`${path}-wal`, '');
    chmodSync(`${path}-wal`, 0o666);
    const store = LocalStore.open({ path, plugins: [plugin], tenantId: 'tenant-a' });
    onTestFinished(() => store.close());
    store.forPlugin('notes').insert('notes', { title: 'x' });
    expect({ db: mode(path), wal: mode(`${path}-wal`), shm: mode(`${path}-shm`) }).toEqual({ db: 0o600, wal: 0o600, shm: 0o600 });
    expect(mode(dir)).toBe(0o755);
  });
});
