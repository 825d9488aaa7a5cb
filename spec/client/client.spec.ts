/** Integration tests of the client against the emulator on 127.0.0.1 (port 0). */
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import {
  ChannelNotSubscribedError,
  ConnectionClosedError,
  MarshalError,
  ServerError,
  TimeoutError,
  UnauthorizedError,
  ValidationError,
  apiKeyAuth,
  createEventsClient,
  lambdaAuth,
  type EventsClient,
  type EventsClientConfig,
} from '../../src';
import { startEventApi, type EventApi, type EventApiOptions, type TrafficRecord } from '../../src/testing';
import { publishHttp, remember } from '../helpers/http-publish';

let api: EventApi;
const clients: EventsClient[] = [];

async function setup(options: EventApiOptions = {}, config: Partial<EventsClientConfig> = {}): Promise<EventsClient> {
  api = await startEventApi(options);
  return client(config);
}

function client(config: Partial<EventsClientConfig> = {}): EventsClient {
  const c = remember({ ...api.clientConfig, lingerMs: 0, ...config }, createEventsClient);
  clients.push(c);
  return c;
}

function inbound(type: string): Promise<TrafficRecord> {
  return firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'in' && t.type === type)));
}

function countInbound(type: string): () => number {
  let n = 0;
  const sub = api.traffic$.subscribe((t) => {
    if (t.direction === 'in' && t.type === type) n++;
  });
  afterEachCleanups.push(() => sub.unsubscribe());
  return () => n;
}

const afterEachCleanups: Array<() => void> = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const f of afterEachCleanups.splice(0)) f();
  await api?.close();
});

describe('subscribe', () => {
  it('a wildcard subscription receives events from every deeper channel and nothing else', async () => {
    const c = await setup({ namespaces: ['default', 'other'] });
    const got = firstValueFrom(c.subscribe<{ from: string }>('/default/*').pipe(take(2), toArray()));
    await firstValueFrom(c.subscribed$);
    await firstValueFrom(c.publish('/other/a', [{ from: 'other' }]));
    await firstValueFrom(c.publish('/default/a', [{ from: 'a' }]));
    await firstValueFrom(c.publish('/default/a/b/c', [{ from: 'abc' }]));
    expect(await got).toEqual([{ from: 'a' }, { from: 'abc' }]);
  });

  it('shares one wire subscription between local subscribers and unsubscribes when the last leaves', async () => {
    const c = await setup();
    const subscribes = countInbound('subscribe');
    const a: unknown[] = [];
    const b: unknown[] = [];
    const sa = c.subscribe('/default/room').subscribe((v) => a.push(v));
    const sb = c.subscribe('default/room/').subscribe((v) => b.push(v));
    await firstValueFrom(c.subscribed$);
    // The emulator sends the data frames before publish_success, on the same socket, in order.
    await firstValueFrom(c.publish('/default/room', ['hello']));
    expect(subscribes()).toBe(1);
    const unsubscribed = inbound('unsubscribe');
    sa.unsubscribe();
    expect(api.stats().received.unsubscribe ?? 0).toBe(0);
    sb.unsubscribe();
    await unsubscribed;
    expect(a).toEqual(['hello']);
    expect(b).toEqual(['hello']);
  });

  it('errors with a ServerError carrying the server errors for an unknown namespace', async () => {
    const c = await setup();
    const error = await lastValueFrom(c.subscribe('/nope/a')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).errors.length).toBeGreaterThan(0);
    expect((error as ServerError).operation).toBe('subscribe');
  });

  it('rejects an invalid channel before anything is sent', async () => {
    const c = await setup();
    const error = await lastValueFrom(c.subscribe('/default/bad_name')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(api.stats().connectionsOpened).toBe(0);
  });

  it('delivers broadcast_error to subscribeMessages and broadcastErrors$ without ending the subscription', async () => {
    const c = await setup();
    const messages = firstValueFrom(c.subscribeMessages('/default/x').pipe(take(2), toArray()));
    const subscribeFrame = inbound('subscribe');
    await firstValueFrom(c.subscribed$);
    const id = (await subscribeFrame).id as string;
    const broadcast = firstValueFrom(c.broadcastErrors$);
    api.faults.sendRaw(JSON.stringify({ type: 'broadcast_error', id, errors: [{ errorType: 'MessageProcessingError', message: 'boom' }] }));
    await broadcast;
    await firstValueFrom(c.publish('/default/x', [1]));
    expect(await messages).toEqual([
      { type: 'broadcast_error', channel: '/default/x', errors: [{ errorType: 'MessageProcessingError', message: 'boom' }] },
      { type: 'data', channel: '/default/x', event: '1' },
    ]);
  });

  it('unsubscribe(channel) rejects with ChannelNotSubscribedError when nothing is subscribed', async () => {
    const c = await setup();
    await expect(c.unsubscribe('/default/none')).rejects.toBeInstanceOf(ChannelNotSubscribedError);
  });
});

describe('publish', () => {
  it('splits more than five events into requests of five and reports every index', async () => {
    const c = await setup();
    const publishes = countInbound('publish');
    const events = Array.from({ length: 12 }, (_, i) => ({ i }));
    const result = await firstValueFrom(c.publish('/default/many', events));
    expect(result.successful).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(result.failed).toEqual([]);
    expect(publishes()).toBe(3);
  });

  it.each([
    ['a wildcard channel', '/default/*', [1], ValidationError],
    ['an invalid channel', '/default/a.b', [1], ValidationError],
    ['no events', '/default/a', [], ValidationError],
    ['an event over 240 KB', '/default/a', ['x'.repeat(240 * 1024)], ValidationError],
    ['an event that is not JSON-serialisable', '/default/a', [1n], MarshalError],
    ['undefined as an event', '/default/a', [undefined], MarshalError],
  ])('rejects %s with a typed error before anything is sent', async (_what, channel, events, type) => {
    const c = await setup();
    const error = await firstValueFrom(c.publish(channel, events as unknown[])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(api.stats().connectionsOpened).toBe(0);
  });

  it('reports events the service refuses individually in failed[] with its code', async () => {
    const c = await setup({
      namespaces: [{ name: 'default', onPublish: (ctx) => ctx.events.map((e, i) => (i === 1 ? { ...e, error: 'not allowed' } : e)) }],
    });
    const result = await firstValueFrom(c.publish('/default/a', ['ok', 'refused', 'ok']));
    expect(result.successful).toEqual([0, 2]);
    expect(result.failed).toEqual([expect.objectContaining({ index: 1 })]);
  });

  it('publishes over HTTP with the same per-index result', async () => {
    const c = await setup();
    const result = await firstValueFrom(publishHttp(c, '/default/http', [{ a: 1 }, { b: 2 }]));
    expect(result).toEqual({ successful: [0, 1], failed: [] });
    expect(api.stats().httpPublishes).toBe(1);
    expect(api.stats().connectionsOpened).toBe(0);
  });

  it('fails an HTTP publish with a wrong key with UnauthorizedError that does not contain the key', async () => {
    const c = await setup({}, { auth: apiKeyAuth('da2-wrongwrongwrongwrongwrongwr') });
    const error = await firstValueFrom(publishHttp(c, '/default/http', [1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(JSON.stringify(error)).not.toContain('da2-wrongwrongwrongwrongwrongwr');
    expect(String((error as Error).message)).not.toContain('da2-wrong');
  });
});

describe('connection', () => {
  it('connect() rejects with UnauthorizedError for a wrong API key and the state ends closed with it', async () => {
    const c = await setup({}, { auth: apiKeyAuth('da2-wrongwrongwrongwrongwrongwr') });
    const states = lastValueFrom(c.connectionState$.pipe(take(3), toArray()));
    await expect(c.connect()).rejects.toBeInstanceOf(UnauthorizedError);
    const seen = await states;
    expect(seen.map((s) => s.status)).toEqual(['idle', 'connecting', 'closed']);
    expect((seen[2] as { error?: unknown }).error).toBeInstanceOf(UnauthorizedError);
  });

  it('connects with Lambda auth when the authorizer accepts the token', async () => {
    const tokens: string[] = [];
    const c = await setup(
      { apiKeys: [], authorizers: { lambda: (token) => (tokens.push(token), token === 'good-token') } },
      { auth: lambdaAuth(() => 'good-token') },
    );
    const value = firstValueFrom(c.subscribe<number>('/default/l'));
    await firstValueFrom(c.subscribed$);
    await firstValueFrom(c.publish('/default/l', [7]));
    expect(await value).toBe(7);
    expect(tokens.length).toBeGreaterThanOrEqual(3); // connect, subscribe, publish: evaluated each time
  });

  it('close() completes open subscriptions and connectionState$, and closes the socket', async () => {
    const c = await setup();
    let completed = 0;
    c.subscribe('/default/a').subscribe({ complete: () => completed++ });
    c.subscribeMessages('/default/b').subscribe({ complete: () => completed++ });
    await firstValueFrom(c.subscribed$.pipe(take(2)));
    const states = lastValueFrom(c.connectionState$.pipe(toArray()));
    c.close();
    expect(completed).toBe(2);
    expect((await states).at(-1)).toEqual({ status: 'closed' });
    const error = await firstValueFrom(c.publish('/default/a', [1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
  });
});

describe('serialisation', () => {
  it('JSON.stringify(client) gives endpoints and status, never the key, even with streams observed', async () => {
    const c = await setup();
    c.connectionState$.subscribe();
    c.messages$.subscribe();
    await c.connect();
    const json = JSON.parse(JSON.stringify(c)) as Record<string, unknown>;
    expect(json).toEqual({ httpEndpoint: api.httpEndpoint, realtimeEndpoint: api.realtimeEndpoint, status: 'connected' });
    expect(JSON.stringify(c)).not.toContain(api.apiKey);
  });
});

describe('implicit unsubscribe failures', () => {
  it('reports an unanswered teardown unsubscribe on protocolErrors$ instead of an unhandled rejection', async () => {
    const c = await setup({}, { requestTimeoutMs: 100 });
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    afterEachCleanups.push(() => process.off('unhandledRejection', onRejection));
    const s = c.subscribe('/default/quiet').subscribe();
    await firstValueFrom(c.subscribed$);
    api.faults.withholdReplies(true);
    const reported = firstValueFrom(c.protocolErrors$);
    s.unsubscribe();
    const error = await reported;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).operation).toBe('unsubscribe');
    await new Promise<void>((resolve) => setImmediate(resolve)); // let Node report any unhandled rejection
    expect(rejections).toEqual([]);
  });
});

describe('callbacks that throw', () => {
  it('an onSubscribed that throws is reported through rxjs config.onUnhandledError and harms nobody else', async () => {
    const { config } = await import('rxjs');
    const previous = config.onUnhandledError;
    const reported: unknown[] = [];
    let signal: () => void = () => undefined;
    const wasReported = new Promise<void>((resolve) => (signal = resolve));
    config.onUnhandledError = (e) => {
      reported.push(e);
      signal();
    };
    afterEachCleanups.push(() => (config.onUnhandledError = previous));
    const c = await setup();
    const boom = new Error('callback failed');
    const values: unknown[] = [];
    c.subscribe('/default/cb', { onSubscribed: () => { throw boom; } }).subscribe((v) => values.push(v));
    const other = firstValueFrom(c.subscribe<number>('/default/cb'));
    await firstValueFrom(c.subscribed$);
    await firstValueFrom(c.publish('/default/cb', [5]));
    expect(await other).toBe(5);
    expect(values).toEqual([5]);
    await wasReported;
    expect(reported).toEqual([boom]);
  });

  it('a generateId that throws fails the operation with a ValidationError', async () => {
    const c = await setup({}, { generateId: () => { throw new TypeError('no ids today'); } });
    const error = await firstValueFrom(c.publish('/default/id', [1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).reason).toBe('INVALID_ID');
  });
});

describe('client streams', () => {
  it('are read-only views: no next/error/complete on them, even from JavaScript', async () => {
    const c = await setup();
    for (const stream of [c.connectionState$, c.messages$, c.protocolErrors$, c.subscribed$, c.broadcastErrors$]) {
      for (const member of ['next', 'error', 'complete']) expect(member in stream).toBe(false);
    }
  });
});

describe('operation ids', () => {
  it('are a per-client nanoid prefix and a counter by default: valid ids, a new one per request, another prefix per client', async () => {
    const c = await setup();
    const other = client();
    const ids: string[] = [];
    const sub = api.traffic$.subscribe((t) => {
      if (t.direction === 'in' && t.id !== undefined) ids.push(t.id);
    });
    afterEachCleanups.push(() => sub.unsubscribe());
    await firstValueFrom(c.publish('/default/ids', [1]));
    await firstValueFrom(c.publish('/default/ids', [2]));
    await firstValueFrom(other.publish('/default/ids', [3]));
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8}[0-9a-z]+$/);
    expect(ids[0]?.slice(0, 8)).toBe(ids[1]?.slice(0, 8));
    expect(ids[1]).not.toBe(ids[0]);
    expect(ids[2]?.slice(0, 8)).not.toBe(ids[0]?.slice(0, 8));
  });
});

describe('unsubscribing while the subscribe is pending', () => {
  it('waits for subscribe_success before sending unsubscribe, so a server that ignores early unsubscribes is left clean', async () => {
    const c = await setup();
    await c.connect();
    api.faults.delayReplies(40);
    api.faults.ignoreEarlyUnsubscribe(true);
    const subscribeSent = inbound('subscribe');
    const done = firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'out' && t.type === 'unsubscribe_success')));
    const s = c.subscribe('/default/race').subscribe();
    await subscribeSent;
    s.unsubscribe();
    await done;
    expect(api.stats().subscriptions).toBe(0);
  });
});
