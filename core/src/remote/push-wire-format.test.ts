import { describe, expect, it } from 'vitest';
import { asPushAnswer, asPushOutcomes, namingPushArguments, PUSH_ARGUMENT_NAMES, pushArguments } from './push-wire-format.js';
import { RemoteProtocolError } from './remote-errors.js';

const items = [
  { row: { id: 'a', title: 'new' }, base_version: null },
  { row: { id: 'b', title: 'edited' }, base_version: 41 },
  { row: { id: 'c', title: 'refused' }, base_version: null },
];

describe('the eq_push wire format', () => {
  it('sends the rows as they are and only the base versions there are, by id', () => {
    expect(pushArguments(items)).toEqual({ p_rows: items.map((item) => item.row), p_bases: { b: 41 } });
    expect(pushArguments([items[0]!]).p_bases).toBeNull();
  });

  it('reads a bare number as applied and gives every outcome the id of its item', () => {
    const outcomes = asPushOutcomes([42, { status: 'duplicate', server_version: 41 }, { status: 'rejected', reason: 'no', code: '23502' }], items, 't');
    expect(outcomes).toEqual([
      { id: 'a', status: 'applied', server_version: 42 },
      { id: 'b', status: 'duplicate', server_version: 41 },
      { id: 'c', status: 'rejected', reason: 'no', code: '23502' },
    ]);
  });

  it.each([
    ['too few outcomes', [42, 43]],
    ['not an array', { status: 'applied' }],
    ['an unknown status', [42, 43, { status: 'maybe' }]],
    ['a fractional version', [42, 43, 1.5]],
    ['null', [42, 43, null]],
  ])('refuses %s as a protocol error naming the table', (_, answer) => {
    expect(() => asPushOutcomes(answer, items, 'clients')).toThrow(RemoteProtocolError);
    expect(() => asPushOutcomes(answer, items, 'clients')).toThrow(/"clients"/);
  });
});

describe('the eq_push answer with its echo', () => {
  const two = items.slice(0, 2);

  it('reads the outcomes as a plain answer and the echo as [after, last], or null', () => {
    expect(asPushAnswer({ outcomes: [7, 8], echo: [5, 8] }, two, 'notes')).toEqual({
      outcomes: [
        { id: 'a', status: 'applied', server_version: 7 },
        { id: 'b', status: 'applied', server_version: 8 },
      ],
      echo: [5, 8],
    });
    expect(asPushAnswer({ outcomes: [7, 8], echo: null }, two, 'notes').echo).toBeNull();
  });

  it('refuses a bare array (asked for the echo, the cloud answered as it does without), and an echo that is not one', () => {
    expect(() => asPushAnswer([7, 8], two, 'notes')).toThrow(RemoteProtocolError);
    for (const echo of [[5], [8, 5], [-1, 8], [1.5, 8], ['5', '8'], { after: 5 }]) {
      expect(() => asPushAnswer({ outcomes: [7, 8], echo }, two, 'notes')).toThrow(/unknown echo/);
    }
  });

  it('names p_echo in the columns of a push that asks for it', async () => {
    const urls: string[] = [];
    const wrapped = namingPushArguments(async (input) => {
      urls.push(String(input));
      return new Response('{}');
    });
    await wrapped('https://x.supabase.co/rest/v1/rpc/eq_push', { method: 'POST', body: JSON.stringify({ p_table: 't', p_rows: [], p_bases: null, p_echo: true }) });
    expect(new URL(urls[0]!).searchParams.get('columns')).toBe(`${PUSH_ARGUMENT_NAMES},p_echo`);
  });
});

describe('namingPushArguments', () => {
  const recorded = (): { fetch: typeof fetch; urls: string[] } => {
    const urls: string[] = [];
    const record: typeof fetch = async (input) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return new Response('[]');
    };
    return { fetch: record, urls };
  };

  it('names the arguments of eq_push calls and of nothing else', async () => {
    const { fetch: base, urls } = recorded();
    const wrapped = namingPushArguments(base);
    await wrapped('https://x.supabase.co/rest/v1/rpc/eq_push', { method: 'POST' });
    await wrapped(new Request('https://x.supabase.co/rest/v1/rpc/eq_push', { method: 'POST', body: '{}' }));
    await wrapped('https://x.supabase.co/rest/v1/rpc/eq_pull', { method: 'POST' });
    await wrapped('https://x.supabase.co/rest/v1/rpc/eq_push_audit', { method: 'POST' });
    expect(urls.map((url) => new URL(url).searchParams.get('columns'))).toEqual([PUSH_ARGUMENT_NAMES, PUSH_ARGUMENT_NAMES, null, null]);
  });

  it('leaves names a caller gave alone', async () => {
    const { fetch: base, urls } = recorded();
    await namingPushArguments(base)('https://x.supabase.co/rest/v1/rpc/eq_push?columns=p_table,p_rows', { method: 'POST' });
    expect(new URL(urls[0]!).searchParams.get('columns')).toBe('p_table,p_rows');
  });
});

describe('namingPushArguments against a PostgREST that refuses the names', () => {
  it('sends the call again without them, and no names from then on', async () => {
    const sent: { url: string; body: string | undefined }[] = [];
    const refusing: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      sent.push({ url, body: typeof init?.body === 'string' ? init.body : undefined });
      if (new URL(url).searchParams.has('columns')) {
        return new Response(JSON.stringify({ code: 'PGRST100', message: '"columns" is not allowed here' }), { status: 400 });
      }
      return new Response('[7]');
    };
    const wrapped = namingPushArguments(refusing);
    const first = await wrapped('https://x.supabase.co/rest/v1/rpc/eq_push', { method: 'POST', body: '{"p_rows":[]}' });
    expect(await first.json()).toEqual([7]);
    await wrapped('https://x.supabase.co/rest/v1/rpc/eq_push', { method: 'POST', body: '{"p_rows":[]}' });
    expect(sent.map(({ url }) => new URL(url).searchParams.get('columns'))).toEqual([PUSH_ARGUMENT_NAMES, null, null]);
    expect(sent.every(({ body }) => body === '{"p_rows":[]}')).toBe(true);
  });

  it('leaves an error of the call itself (a 400 with a Postgres code) as it is', async () => {
    let calls = 0;
    const failing: typeof fetch = async () => {
      calls += 1;
      return new Response(JSON.stringify({ code: '22P02', message: 'invalid input syntax' }), { status: 400 });
    };
    const response = await namingPushArguments(failing)('https://x.supabase.co/rest/v1/rpc/eq_push', { method: 'POST', body: '{}' });
    expect(response.status).toBe(400);
    expect(calls).toBe(1);
  });
});
