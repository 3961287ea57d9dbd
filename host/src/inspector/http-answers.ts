import type { ServerResponse } from 'node:http';

/**
 * What the page may load and do: its own script and style only (no inline code, no CDN),
 * requests to its own origin, never framed, no form posts, no base rewriting.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Sent with every answer, a 404 included: nothing is cached, the secret URL never leaks as a referrer. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

/**
 * An error a route answers with: its HTTP status and a sentence naming what is wrong.
 *
 * @example
 * throw new HttpError(400, 'ids must be a list of row ids');
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Starts an answer with the security headers and `headers`.
 *
 * @example
 * answerHead(response, 200, { 'Content-Type': 'text/event-stream' });
 */
export function answerHead(response: ServerResponse, status: number, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, ...headers });
}

/**
 * Answers with a JSON body.
 *
 * @example
 * answerJson(response, 200, { confirmed: 2 });
 */
export function answerJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  answerHead(response, status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  response.end(text);
}

/**
 * Answers with nothing but a status: a 404 that gives no hint of what is served here.
 *
 * @example
 * answerEmpty(response, 404);
 */
export function answerEmpty(response: ServerResponse, status: number, headers: Readonly<Record<string, string>> = {}): void {
  answerHead(response, status, { 'Content-Length': '0', ...headers });
  response.end();
}
