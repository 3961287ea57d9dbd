import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

/** The largest request body the gateway passes on: 4 MiB, a cap of the kind a real project's gateway sets. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Whether a request declares (`Content-Length`) a body over `limit`, so it can be refused
 * before a byte of it is read.
 *
 * @example
 * if (declaresTooLarge(req, MAX_BODY_BYTES)) return refuseTooLarge(req, res, MAX_BODY_BYTES);
 */
export function declaresTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
}

/**
 * Passes a body through while counting it; errors (with {@link BodyTooLargeError}) at the
 * first chunk that takes it over `limit`. For chunked bodies, whose size is only known as
 * they stream; nothing is held back, so the body is never buffered whole.
 *
 * @example
 * const limit = new BodyLimit(MAX_BODY_BYTES);
 * limit.once('error', () => refuseTooLarge(req, res, MAX_BODY_BYTES));
 * req.pipe(limit).pipe(upstream);
 */
export class BodyLimit extends Transform {
  private seen = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) callback(new BodyTooLargeError(this.limit));
    else callback(null, chunk);
  }
}

/** Raised by {@link BodyLimit} when a body outgrows its limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** How long a refused body may go on arriving before its connection is cut. */
const LINGER_MS = 5_000;

/**
 * Answers 413 with an error shaped like PostgREST's (`code`, `message`, `details`,
 * `hint`), so supabase-js shows it as it shows any other. The rest of the body is read
 * and dropped, never kept: closing at once, with the client still sending, would reset
 * the connection and lose the answer before the client read it. A body that is still
 * arriving after a few seconds has its connection cut.
 *
 * @example
 * refuseTooLarge(req, res, MAX_BODY_BYTES);
 */
export function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  const body = JSON.stringify({
    code: '413',
    message: 'Payload Too Large',
    details: `The request body is larger than ${limit} bytes (${limit / (1024 * 1024)} MiB), the most this API accepts.`,
    hint: 'Send fewer or smaller rows per request.',
  });
  req.unpipe();
  req.resume();
  const linger = setTimeout(() => req.socket.destroy(), LINGER_MS);
  linger.unref();
  // Once the body has ended the connection may serve the next request: it must not be cut then.
  req.once('end', () => clearTimeout(linger));
  req.once('close', () => clearTimeout(linger));
  res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
