import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Subject } from 'rxjs';
import type { EquinoxHost } from '../host/equinox-host.js';
import { conflictChoice, deleteIds, panelAction } from './action-bodies.js';
import { answerJson, HttpError } from './http-answers.js';
import { runPanelAction } from './panel-views.js';
import { inspectorState } from './state-assembly.js';

/** A body larger than this is refused: the biggest one the page sends is a merged row. */
const MAX_BODY_BYTES = 1024 * 1024;

/** What the API routes work on: the host, and where they say that an action changed something. */
export interface ApiContext {
  readonly host: EquinoxHost;
  readonly actions: Subject<void>;
}

type PostRoute = (context: ApiContext, body: unknown) => Promise<unknown> | unknown;

/** The actions of the page: each one's answer; the device changed after each. */
const POST_ROUTES: Readonly<Record<string, PostRoute>> = {
  sync: async ({ host }) => ({ result: await host.syncNow() }),
  'conflicts/resolve': ({ host }, body) => {
    const choice = conflictChoice(body);
    try {
      return { resolved: host.conflicts.resolve([choice]) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new HttpError(message.startsWith('no conflict for') ? 404 : 409, message);
    }
  },
  'deletes/confirm': ({ host }, body) => ({ confirmed: host.deletes.confirm(deleteIds(body)) }),
  'panels/action': ({ host }, body) => runPanelAction(host.panels(), panelAction(body)),
};

/**
 * Answers `GET api/state` and the POST actions (`route` is the path after `api/`). The
 * request's Host, Content-Type and Origin are checked before; errors are thrown as
 * {@link HttpError}.
 *
 * @example
 * await answerApi(request, response, 'state', { host, actions });
 */
export async function answerApi(request: IncomingMessage, response: ServerResponse, route: string, context: ApiContext): Promise<void> {
  if (route === 'state') {
    if (request.method !== 'GET') throw new HttpError(405, 'api/state answers GET only');
    return answerJson(response, 200, await inspectorState(context.host));
  }
  const action = POST_ROUTES[route];
  if (action === undefined || !Object.hasOwn(POST_ROUTES, route)) throw new HttpError(404, `no API "${route}"`);
  if (request.method !== 'POST') throw new HttpError(405, `api/${route} answers POST only`);
  const answer = await action(context, await readJson(request));
  context.actions.next();
  answerJson(response, 200, answer);
}

/** The request's body as JSON; an empty body is `{}`. */
async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
