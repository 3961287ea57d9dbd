import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { answerEmpty, answerHead } from './http-answers.js';

/**
 * The page's folder, shipped with the package beside `dist`: from the built module
 * (`dist/inspector/`) and from the source (`src/inspector/`, under tests) alike, two
 * folders up.
 *
 * @example
 * const dir = PAGE_DIR; // '/…/node_modules/@equinox-sync/host/inspector-page'
 */
export const PAGE_DIR = fileURLToPath(new URL('../../inspector-page/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
};

/** A file directly in the folder, of a type the page uses: no path separators, no dot files, so nothing outside it is reachable. */
const FILE_NAME = /^[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*\.(html|js|css|svg|png|ico)$/i;

/**
 * Answers `GET <base><name>` with a file of the page's folder (`''` is index.html), read
 * from disk on every request (no cache: the page is small, and a fixed one shows at once);
 * anything else, or a missing file, is an empty 404.
 *
 * @example
 * await serveStatic(response, PAGE_DIR, 'inspector.js');
 */
export async function serveStatic(response: ServerResponse, dir: string, name: string): Promise<void> {
  const file = name === '' ? 'index.html' : name;
  const match = FILE_NAME.exec(file);
  const type = match === null ? undefined : TYPES[match[1]!.toLowerCase()];
  if (type === undefined) return answerEmpty(response, 404);
  let body: Buffer;
  try {
    body = await readFile(join(dir, file));
  } catch {
    return answerEmpty(response, 404);
  }
  answerHead(response, 200, { 'Content-Type': type, 'Content-Length': String(body.length) });
  response.end(body);
}
