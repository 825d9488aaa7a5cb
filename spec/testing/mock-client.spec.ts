/** createMockEventsClient: marble-testing code that depends on EventsClient, without a network. */
import { config, firstValueFrom, map, mergeMap, of, skip, take, toArray, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  ChannelNotSubscribedError,
  ConnectionClosedError,
  MarshalError,
  ValidationError,
  type ConnectionState,
  type EventsClient,
  type SubscribedEvent,
  type SubscribeOptions,
} from '../../src';
import { createMockEventsClient } from '../../src/testing';
import { createMarbleHarness, FakeWebSocket } from '../helpers/fake-socket';

const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Business logic under test: acknowledges every order by publishing to /default/acks. */
function acknowledgeOrders(client: EventsClient) {
  return client
    .subscribe<{ id: string }>('/default/orders')
    .pipe(mergeMap((order) => client.publish('/default/acks', [{ ack: order.id }]).pipe(map((r) => `${order.id}:${r.successful.length}`))));
}

it('serves each channel from the given Observable and records the calls, in virtual time', () => {
  scheduler().run(({ cold, expectObservable, flush }) => {
    const client = createMockEventsClient({ channels: { 'default/orders/': cold('-a--b|', { a: { id: 'o1' }, b: { id: 'o2' } }) } });
    expectObservable(acknowledgeOrders(client)).toBe('-a--b|', { a: 'o1:1', b: 'o2:1' });
    flush();
    expect(client.calls).toEqual([
      { op: 'subscribe', channel: '/default/orders' },
      { op: 'publish', channel: '/default/acks', events: [{ ack: 'o1' }] },
      { op: 'publish', channel: '/default/acks', events: [{ ack: 'o2' }] },
    ]);
  });
});

it('answers publishes with the chosen result, timed by the TestScheduler', () => {
  scheduler().run(({ cold, expectObservable }) => {
    const client = createMockEventsClient({
      channels: { '/default/orders': cold('a', { a: { id: 'o1' } }) },
      publish: () => cold('--(r|)', { r: { successful: [], failed: [{ index: 0, code: 'EventTooLargeException' }] } }),
    });
    expectObservable(acknowledgeOrders(client)).toBe('--a', { a: 'o1:0' });
  });
});

it('validates like the real client: typed errors and nothing recorded', async () => {
  const client = createMockEventsClient();
  await expect(firstValueFrom(client.publish('/default/*', [1]))).rejects.toBeInstanceOf(ValidationError);
  await expect(firstValueFrom(client.publish('/default/a', [10n]))).rejects.toBeInstanceOf(MarshalError);
  await expect(firstValueFrom(client.subscribe('/default/a_b'))).rejects.toBeInstanceOf(ValidationError);
  await expect(firstValueFrom(client.publish('/default/a', [1], { timeoutMs: Infinity }))).rejects.toMatchObject({ name: 'ValidationError', reason: 'INVALID_ARGUMENT' });
  expect(client.calls).toEqual([]);
});

it('counts subscribers, completes them on unsubscribe(channel), and refuses unknown channels', async () => {
  const client = createMockEventsClient();
  let completed = 0;
  client.subscribe('/default/x').subscribe({ complete: () => completed++ });
  client.subscribeMessages('/default/x').subscribe({ complete: () => completed++ });
  expect(client.subscriberCount('default/x')).toBe(2);
  await client.unsubscribe('/default/x');
  expect(completed).toBe(2);
  expect(client.subscriberCount('/default/x')).toBe(0);
  await expect(client.unsubscribe('/default/x')).rejects.toBeInstanceOf(ChannelNotSubscribedError);
});

it('emits raw messages with the JSON string, reports subscribed$, and close() ends everything', async () => {
  const client = createMockEventsClient({ channels: { '/default/raw': of({ a: 1 }, 2) } });
  const seen = firstValueFrom(client.subscribed$);
  const messages = await firstValueFrom(client.subscribeMessages('default/raw').pipe(take(2), toArray()));
  expect(messages).toEqual([
    { type: 'data', channel: '/default/raw', event: '{"a":1}' },
    { type: 'data', channel: '/default/raw', event: '2' },
  ]);
  expect(await seen).toEqual({ channel: '/default/raw', resubscribed: false });
  let ended = false;
  client.subscribe('/default/never').subscribe({ complete: () => (ended = true) });
  client.close();
  expect(ended).toBe(true);
  await expect(firstValueFrom(client.publish('/default/a', [1]))).rejects.toBeInstanceOf(ConnectionClosedError);
  expect(JSON.stringify(client)).toContain('"status":"closed"');
});

// Parity with the real client -------------------------------------------------------------------
// Each scenario below runs on the mock and on a real client (fake socket, virtual time), and both
// must give the expected log: the mock is only worth having where it behaves like the real thing.

/** A real client on a fake socket; `confirm()` acknowledges the connection and every subscribe not answered yet. */
function realClient(s: TestScheduler): { client: EventsClient; confirm: () => void } {
  const h = createMarbleHarness(s);
  let answered = 0;
  const confirm = (): void => {
    if (!h.sockets.length) return; // nothing opened: nothing to confirm
    const socket = h.socket(0);
    if (socket.readyState === FakeWebSocket.CONNECTING) h.accept(0);
    const subscribes = socket.sent.filter((frame) => frame.type === 'subscribe');
    for (const frame of subscribes.slice(answered)) socket.receive({ type: 'subscribe_success', id: frame.id });
    answered = subscribes.length;
  };
  return { client: h.client, confirm };
}

/** Runs `scenario` on the mock and on a real client, each in its own virtual time; returns both logs. */
function onBoth<T>(scenario: (client: EventsClient, confirm: () => void) => T): { mock: T; real: T } {
  let mock!: T;
  let real!: T;
  scheduler().run(() => {
    mock = scenario(createMockEventsClient(), () => undefined);
  });
  const s = scheduler();
  s.run(() => {
    const { client, confirm } = realClient(s);
    real = scenario(client, confirm);
  });
  return { mock, real };
}

/** An error as `[class, operation or reason]`, for comparing logs. */
function describeError(error: unknown): unknown[] {
  const e = error as { constructor: { name: string }; operation?: string; reason?: string };
  return [e.constructor.name, e.operation ?? e.reason];
}

describe('onSubscribed and subscribed$, like the real client', () => {
  /** Two subscribers share /default/a, then leave it; a third subscribes it again; /default/b has no callback. */
  function sharing(client: EventsClient, confirm: () => void): unknown[] {
    const log: unknown[] = [];
    const on = (who: string): SubscribeOptions => ({ onSubscribed: (event) => log.push([who, event]) });
    client.subscribed$.subscribe((event) => log.push(['subscribed$', event]));
    const a1 = client.subscribe('/default/a', on('a1')).subscribe();
    confirm();
    log.push('a1 subscribed');
    const a2 = client.subscribeMessages('default/a/', on('a2')).subscribe();
    log.push('a2 joined');
    client.subscribe('/default/b').subscribe();
    confirm();
    a1.unsubscribe();
    a2.unsubscribe();
    client.subscribe('/default/a', on('a3')).subscribe();
    confirm();
    return log;
  }

  const a = { channel: '/default/a', resubscribed: false };
  const b = { channel: '/default/b', resubscribed: false };
  const expected = [
    ['subscribed$', a],
    ['a1', a],
    'a1 subscribed',
    ['a2', a], // joins the active channel: called at once
    'a2 joined',
    ['subscribed$', b],
    ['subscribed$', a], // a new shared subscription after the last subscriber left
    ['a3', a],
  ];

  it('fires subscribed$ once per shared channel subscription and onSubscribed once per subscriber, in the real client order', () => {
    const { mock, real } = onBoth(sharing);
    expect(real).toEqual(expected);
    expect(mock).toEqual(expected);
  });

  it('calls onSubscribed when the channel stream starts, before its first value, and at once for a subscriber that joins', () => {
    const s = scheduler();
    s.run(({ cold, expectObservable, flush }) => {
      const seen: unknown[] = [];
      const on = (who: string): SubscribeOptions => ({ onSubscribed: (event) => seen.push({ who, at: s.now(), ...event }) });
      const client = createMockEventsClient({ channels: { '/default/orders': cold('--a', { a: { id: 'o1' } }) } });
      expectObservable(client.subscribe('/default/orders', on('parsed'))).toBe('--a', { a: { id: 'o1' } });
      expectObservable(client.subscribeMessages('default/orders/', on('raw')), '---^').toBe('-----a', {
        a: { type: 'data', channel: '/default/orders', event: '{"id":"o1"}' },
      });
      flush();
      expect(seen).toEqual([
        { who: 'parsed', at: 0, channel: '/default/orders', resubscribed: false },
        { who: 'raw', at: 3, channel: '/default/orders', resubscribed: false },
      ]);
    });
  });

  it('reports an onSubscribed that throws through rxjs config.onUnhandledError, like the real client, and harms nobody else', () => {
    const previous = config.onUnhandledError;
    const reported: unknown[] = [];
    config.onUnhandledError = (error) => reported.push(error);
    try {
      scheduler().run(({ cold, expectObservable, flush }) => {
        const boom = new Error('callback failed');
        const client = createMockEventsClient({ channels: { '/default/cb': cold('-a', { a: 5 }) } });
        const fail = (): void => {
          throw boom;
        };
        expectObservable(client.subscribe('/default/cb', { onSubscribed: fail })).toBe('-a', { a: 5 });
        expectObservable(client.subscribe('/default/cb', { onSubscribed: fail })).toBe('-a', { a: 5 });
        flush();
        expect(reported).toEqual([boom, boom]);
      });
    } finally {
      config.onUnhandledError = previous;
    }
  });

  it('starts a new shared subscription after unsubscribe(channel): subscribed$ fires again', async () => {
    const client = createMockEventsClient();
    const seen: SubscribedEvent[] = [];
    client.subscribed$.subscribe((event) => seen.push(event));
    client.subscribe('/default/x').subscribe();
    client.subscribe('/default/x').subscribe();
    await client.unsubscribe('/default/x');
    client.subscribe('/default/x').subscribe();
    expect(seen).toEqual([
      { channel: '/default/x', resubscribed: false },
      { channel: '/default/x', resubscribed: false },
    ]);
    expect(client.subscriberCount('/default/x')).toBe(1);
  });
});

describe('close(), like the real client', () => {
  /** Observers there before close(), the close itself, late observers, then every call on the closed client. */
  function closing(client: EventsClient, confirm: () => void): { log: unknown[]; settled: Promise<unknown[]> } {
    const log: unknown[] = [];
    const record = (name: string) => ({
      next: (value: unknown) => log.push([name, value]),
      error: (error: unknown) => log.push([name, 'error', ...describeError(error)]),
      complete: () => log.push([name, 'complete']),
    });
    const streams = (when: string): void => {
      // Both are connected now: the replayed state is skipped, what close() does is compared.
      client.connectionState$.pipe(skip(when === 'early' ? 1 : 0)).subscribe(record(`${when} connectionState$`));
      client.messages$.subscribe(record(`${when} messages$`));
      client.protocolErrors$.subscribe(record(`${when} protocolErrors$`));
      client.subscribed$.subscribe(record(`${when} subscribed$`));
      client.broadcastErrors$.subscribe(record(`${when} broadcastErrors$`));
    };
    client.subscribe('/default/a').subscribe(record('subscriber'));
    confirm();
    streams('early');
    log.push('close');
    client.close();
    client.close();
    log.push(['status', client.toJSON().status]);
    streams('late');
    client.subscribe('/default/a_b').subscribe(record('subscribe invalid'));
    client.subscribe('/default/ok').subscribe(record('subscribe'));
    client.subscribeMessages('/default/ok').subscribe(record('subscribeMessages'));
    client.publish('/default/*', [1]).subscribe(record('publish wildcard'));
    client.publish('/default/a', []).subscribe(record('publish nothing'));
    client.publish('/default/a', [10n]).subscribe(record('publish bigint'));
    client.publish('/default/a', [1]).subscribe(record('publish'));
    const outcome = (promise: Promise<unknown>) => promise.then(() => ['resolved'], describeError);
    const settled = Promise.all([outcome(client.connect()), outcome(client.unsubscribe('/default/a')), outcome(client.unsubscribe('/default/a_b'))]);
    return { log, settled };
  }

  it('emits { status: "closed" }, completes every stream and subscriber, then answers every call like a closed real client', async () => {
    const { mock, real } = onBoth(closing);
    const expected = [
      'close',
      ['subscriber', 'complete'],
      ['early subscribed$', 'complete'],
      ['early broadcastErrors$', 'complete'],
      ['early connectionState$', { status: 'closed' }],
      ['early messages$', 'complete'],
      ['early protocolErrors$', 'complete'],
      ['early connectionState$', 'complete'],
      ['status', 'closed'],
      // A completed BehaviorSubject replays nothing: late observers only see the end.
      ['late connectionState$', 'complete'],
      ['late messages$', 'complete'],
      ['late protocolErrors$', 'complete'],
      ['late subscribed$', 'complete'],
      ['late broadcastErrors$', 'complete'],
      // The channel and the events are checked first; only valid calls fail as closed.
      ['subscribe invalid', 'error', 'ValidationError', 'INVALID_CHANNEL'],
      ['subscribe', 'error', 'ConnectionClosedError', 'subscribe'],
      ['subscribeMessages', 'error', 'ConnectionClosedError', 'subscribe'],
      ['publish wildcard', 'error', 'ValidationError', 'WILDCARD_NOT_ALLOWED'],
      ['publish nothing', 'error', 'ValidationError', 'NO_EVENTS'],
      ['publish bigint', 'error', 'MarshalError', undefined],
      ['publish', 'error', 'ConnectionClosedError', 'publish'],
    ];
    const settled = [
      ['ConnectionClosedError', 'client'],
      ['ChannelNotSubscribedError', undefined],
      ['ValidationError', 'INVALID_CHANNEL'],
    ];
    expect(real.log).toEqual(expected);
    expect(await real.settled).toEqual(settled);
    expect(mock.log).toEqual(expected);
    expect(await mock.settled).toEqual(settled);
  });

  it('ends connectionState$ with { status: "closed" } in virtual time, whatever the given states, and completes the hot streams', () => {
    const s = scheduler();
    s.run(({ cold, expectObservable }) => {
      const client = createMockEventsClient({
        connectionState: cold<ConnectionState>('c-i|', { c: { status: 'connected', connectionTimeoutMs: 1000 }, i: { status: 'idle' } }),
      });
      s.schedule(() => client.close(), 5);
      expectObservable(client.connectionState$).toBe('c-i--(x|)', {
        c: { status: 'connected', connectionTimeoutMs: 1000 },
        i: { status: 'idle' },
        x: { status: 'closed' },
      });
      expectObservable(client.connectionState$, '------^').toBe('------|');
      const quiet: Observable<unknown>[] = [client.messages$, client.protocolErrors$, client.broadcastErrors$];
      for (const stream of quiet) expectObservable(stream).toBe('-----|');
      expectObservable(client.subscribed$).toBe('s----|', { s: { channel: '/default/a', resubscribed: false } });
      expectObservable(client.subscribe('/default/a')).toBe('-----|');
    });
  });

  it('reports in toJSON() the status of the latest state connectionState$ delivered, then closed', () => {
    expect(createMockEventsClient().toJSON().status).toBe('connected');
    const s = scheduler();
    s.run(({ cold, expectObservable, flush }) => {
      const reconnecting: ConnectionState = { status: 'reconnecting', attempt: 1, delayMs: 10, error: new ConnectionClosedError('client') };
      const client = createMockEventsClient({ connectionState: cold<ConnectionState>('c-r', { c: { status: 'connecting', attempt: 1 }, r: reconnecting }) });
      const seen: string[] = [client.toJSON().status];
      expectObservable(client.connectionState$.pipe(map((state) => state.status))).toBe('c-r-(x|)', { c: 'connecting', r: 'reconnecting', x: 'closed' });
      // Read a frame after each state (an action at the same frame runs before the cold emission).
      for (const frame of [1, 3]) s.schedule(() => seen.push(client.toJSON().status), frame);
      s.schedule(() => client.close(), 4);
      s.schedule(() => seen.push(client.toJSON().status), 5);
      flush();
      expect(seen).toEqual(['idle', 'connecting', 'reconnecting', 'closed']);
    });
  });

  it('records the close once, and nothing for calls refused afterwards but connect()', () => {
    const client = createMockEventsClient();
    client.close();
    client.close();
    client.subscribe('/default/a').subscribe({ error: () => undefined });
    client.publish('/default/a', [1]).subscribe({ error: () => undefined });
    void client.connect().catch(() => undefined);
    expect(client.calls).toEqual([{ op: 'close' }, { op: 'connect' }]);
  });
});

describe('publish options, like the real client', () => {
  it("hands the publish's options to the chosen result, and fails with TimeoutError when no result comes within timeoutMs", () => {
    const seen: unknown[] = [];
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const client = createMockEventsClient({
        publish: (_channel, _events, options) => (seen.push(options), cold('---r|', { r: { successful: [0], failed: [] } })),
      });
      expectObservable(client.publish('/default/a', [1], { timeoutMs: 2, idempotent: true })).toBe('--#', undefined, expect.objectContaining({ name: 'TimeoutError', operation: 'publish', timeoutMs: 2 }));
      expectObservable(client.publish('/default/a', [1], { timeoutMs: 5 })).toBe('---r|', { r: { successful: [0], failed: [] } });
    });
    expect(seen).toEqual([{ timeoutMs: 2, idempotent: true }, { timeoutMs: 5 }]);
  });
});
