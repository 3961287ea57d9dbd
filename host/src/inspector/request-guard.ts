import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-answers.js';

/**
 * A new secret for the page's URL: 32 random bytes, base64url. Whoever has the URL can
 * settle conflicts and confirm deletes, so it is as hard to guess as a key.
 *
 * @example
 * const secret = newSecret(); // 'q3J…' (43 characters)
 */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Whether `candidate` is the secret, in a time that does not depend on how much of it is
 * right (both are hashed first, so their lengths do not show either).
 *
 * @example
 * if (!sameSecret(firstSegment, secret)) return answerEmpty(response, 404);
 */
export function sameSecret(candidate: string, secret: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(candidate), digest(secret));
}

/**
 * The origins the page is served from: the loopback address and `localhost`, on the
 * server's port.
 *
 * @example
 * ownOrigins(4711); // ['http://127.0.0.1:4711', 'http://localhost:4711']
 */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/**
 * Refuses a request whose `Host` is not this server by its loopback name: a page of
 * another site whose name an attacker pointed at 127.0.0.1 (DNS rebinding) sends its own.
 *
 * @example
 * checkHost(request, 4711); // throws HttpError 403 for Host: evil.example:4711
 */
export function checkHost(request: IncomingMessage, port: number): void {
  const host = request.headers.host;
  if (host === undefined || !ownOrigins(port).includes(`http://${host.toLowerCase()}`)) {
    throw new HttpError(403, `the Host header must be 127.0.0.1:${port} or localhost:${port}`);
  }
}

/**
 * Refuses a POST another site could send: it must be JSON (a form or a "simple" request
 * of another origin cannot set that type without a preflight this server never grants),
 * and an `Origin`, when there is one, must be this server's.
 *
 * @example
 * if (request.method === 'POST') checkPost(request, 4711);
 */
export function checkPost(request: IncomingMessage, port: number): void {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'the Content-Type must be application/json');
  const origin = request.headers.origin;
  if (origin !== undefined && !ownOrigins(port).includes(origin.toLowerCase())) {
    throw new HttpError(403, 'the Origin must be this page\'s own');
  }
}
