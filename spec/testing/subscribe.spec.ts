import { emulatorFixture, keyAuth, opId, publish, subscribe } from './fixture';

const fx = emulatorFixture();

describe('subscribe, data and unsubscribe', () => {
  it('subscribes, delivers each published event as its own data frame with the original string, and unsubscribes', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    const auth = keyAuth(api);
    const ack = await subscribe(client, '/default/room', auth, 'sub-1');
    expect(ack.raw).toBe('{"type":"subscribe_success","id":"sub-1"}');

    const events = ['{"text":"hi"}', ' 42 ', '"plain"', 'null'];
    const reply = await publish(client, '/default/room', events, auth);
    expect(reply.type).toBe('publish_success');
    for (const event of events) {
      const data = await client.nextOf('data', 'sub-1');
      expect(data.raw).toBe(JSON.stringify({ type: 'data', id: 'sub-1', event }));
    }

    client.send({ type: 'unsubscribe', id: 'sub-1' });
    expect((await client.nextOf('unsubscribe_success', 'sub-1')).raw).toBe('{"type":"unsubscribe_success","id":"sub-1"}');
    await publish(client, '/default/room', ['1'], auth);
    await publish(client, '/default/room', ['2'], auth);
    expect(client.frames.filter((f) => f.type === 'data')).toHaveLength(events.length);
  });

  it('works without connection_init', async () => {
    const api = await fx.start();
    const client = await fx.connect(api);
    expect((await subscribe(client, 'default/x/', keyAuth(api))).type).toBe('subscribe_success');
    expect(client.frames.some((f) => f.type === 'connection_ack')).toBe(false);
  });

  it('delivers to other connections, and to the publisher itself', async () => {
    const api = await fx.start();
    const a = await fx.ready(api);
    const b = await fx.ready(api);
    await subscribe(a, '/default/room', keyAuth(api), 'a1');
    await subscribe(b, 'default/room', keyAuth(api), 'b1');
    await publish(a, 'default/room/', ['{"n":1}'], keyAuth(api));
    expect((await a.nextOf('data', 'a1')).event).toBe('{"n":1}');
    expect((await b.nextOf('data', 'b1')).event).toBe('{"n":1}');
  });

  it('matches wildcards at any depth below the prefix, but not the prefix itself or other channels', async () => {
    const api = await fx.start({ namespaces: ['default', 'other'] });
    const client = await fx.ready(api);
    const auth = keyAuth(api);
    await subscribe(client, '/default/*', auth, 'all');
    await subscribe(client, '/default/a/*', auth, 'under-a');
    await subscribe(client, '/default/a', auth, 'exact-a');
    const channels = ['/default/a', '/default/a/b', '/default/a/b/c/d', '/default/b', '/default', '/other/a', '/default/ab'];
    for (const [i, channel] of channels.entries()) await publish(client, channel, [JSON.stringify({ channel, i })], auth);
    await publish(client, '/default/end', ['"end"'], auth);
    await client.next((f) => f.type === 'data' && f.event === '"end"');

    const seen = (id: string) => client.frames.filter((f) => f.type === 'data' && f.id === id).map((f) => (JSON.parse(f.event as string) as { channel?: string }).channel ?? 'end');
    expect(seen('all')).toEqual(['/default/a', '/default/a/b', '/default/a/b/c/d', '/default/b', '/default/ab', 'end']);
    expect(seen('under-a')).toEqual(['/default/a/b', '/default/a/b/c/d']);
    expect(seen('exact-a')).toEqual(['/default/a']);
  });

  it('delivers in publish order', async () => {
    const api = await fx.start({ publishRateLimit: false });
    const client = await fx.ready(api);
    await subscribe(client, '/default/*', keyAuth(api), 's');
    const expected: string[] = [];
    for (let i = 0; i < 20; i++) {
      const batch = [String(i * 2), String(i * 2 + 1)];
      expected.push(...batch);
      client.send({ type: 'publish', id: opId(), channel: '/default/seq', events: batch, authorization: keyAuth(api) });
    }
    const got: string[] = [];
    for (let i = 0; i < expected.length; i++) got.push((await client.nextOf('data', 's')).event as string);
    expect(got).toEqual(expected);
  });

  it('rejects a duplicate id while it is live, and accepts it again after unsubscribe', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api), 'dup');
    const second = await subscribe(client, '/default/b', keyAuth(api), 'dup');
    expect(second).toMatchObject({ type: 'subscribe_error', id: 'dup', errors: [{ errorType: 'BadRequestException' }] });
    client.send({ type: 'unsubscribe', id: 'dup' });
    await client.nextOf('unsubscribe_success', 'dup');
    expect((await subscribe(client, '/default/b', keyAuth(api), 'dup')).type).toBe('subscribe_success');
  });

  it.each([
    ['has space', '/default/a'],
    ['x'.repeat(129), '/default/a'],
    ['', '/default/a'],
    ['dot.ted', '/default/a'],
  ])('rejects the invalid id %j with BadRequestException', async (id) => {
    const api = await fx.start();
    const client = await fx.ready(api);
    const reply = await subscribe(client, '/default/a', keyAuth(api), id);
    expect(reply).toMatchObject({ type: 'subscribe_error', id, errors: [{ errorType: 'BadRequestException' }] });
  });

  it.each(['/default/a_b', '/default/-a', '/a/b/c/d/e/f', '/default/a*', '/default/*/b', '', '/default//a', `/default/${'a'.repeat(51)}`])(
    'rejects the invalid channel %j with BadRequestException',
    async (channel) => {
      const api = await fx.start();
      const client = await fx.ready(api);
      const reply = await subscribe(client, channel, keyAuth(api));
      expect(reply).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'BadRequestException' }] });
    },
  );

  it('rejects an unknown namespace', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    const reply = await subscribe(client, '/nope/a', keyAuth(api), 'n1');
    expect(reply).toMatchObject({ type: 'subscribe_error', id: 'n1', errors: [{ errorType: 'BadRequestException', message: 'Namespace nope does not exist' }] });
  });

  it('rejects a subscribe without authorization, and one with a wrong key, with UnauthorizedException', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    client.send({ type: 'subscribe', id: 'noauth', channel: '/default/a' });
    expect(await client.nextOf('subscribe_error', 'noauth')).toMatchObject({ errors: [{ errorType: 'UnauthorizedException' }] });
    const reply = await subscribe(client, '/default/a', { 'x-api-key': 'da2-notthekeynotthekeynotthekey' }, 'badkey');
    expect(reply).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'UnauthorizedException' }] });
    expect(reply.raw).not.toContain('notthekey');
    const missing = await subscribe(client, '/default/a', { host: api.host }, 'nokey');
    expect(missing).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'UnauthorizedException' }] });
  });

  it('accepts 200 subscriptions on one connection (same channel) and refuses the 201st with MaxSubscriptionsReachedError', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    for (let i = 0; i < 200; i++) client.send({ type: 'subscribe', id: `s${i}`, channel: '/default/a', authorization: keyAuth(api) });
    for (let i = 0; i < 200; i++) await client.nextOf('subscribe_success', `s${i}`);
    expect(api.stats().subscriptions).toBe(200);
    const reply = await subscribe(client, '/default/a', keyAuth(api), 's200');
    expect(reply).toMatchObject({ type: 'subscribe_error', id: 's200', errors: [{ errorType: 'MaxSubscriptionsReachedError' }] });
    client.send({ type: 'unsubscribe', id: 's0' });
    await client.nextOf('unsubscribe_success', 's0');
    expect((await subscribe(client, '/default/a', keyAuth(api), 's200')).type).toBe('subscribe_success');
  });

  it('honours maxSubscriptionsPerConnection', async () => {
    const api = await fx.start({ maxSubscriptionsPerConnection: 1 });
    const client = await fx.ready(api);
    expect((await subscribe(client, '/default/a', keyAuth(api))).type).toBe('subscribe_success');
    expect((await subscribe(client, '/default/a', keyAuth(api))).errors).toEqual([
      { errorType: 'MaxSubscriptionsReachedError', message: 'A connection may hold at most 1 subscriptions' },
    ]);
  });

  it('answers unsubscribe of an unknown id with UnknownOperationError', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    client.send({ type: 'unsubscribe', id: 'does-not-exist' });
    const reply = await client.nextOf('unsubscribe_error', 'does-not-exist');
    expect(reply.errors).toEqual([{ errorType: 'UnknownOperationError', message: 'Unknown operation id does-not-exist' }]);
  });

  it('forgets subscriptions when the connection closes', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api));
    expect(api.stats().subscriptions).toBe(1);
    api.faults.dropConnections();
    expect(api.stats()).toMatchObject({ subscriptions: 0, connectionsOpen: 0 });
    expect((await client.closed).code).toBe(1000);
  });
});

describe('malformed frames', () => {
  it.each([
    ['not JSON', 'hello', 'BadRequestException', undefined],
    ['a JSON array', '[1,2]', 'BadRequestException', undefined],
    ['no type', '{"id":"x1"}', 'UnsupportedOperation', 'x1'],
    ['an unknown type', '{"type":"start","id":"x2"}', 'UnsupportedOperation', 'x2'],
    ['subscribe without id', '{"type":"subscribe","channel":"/default/a","authorization":{}}', 'BadRequestException', undefined],
    ['publish without id', '{"type":"publish","channel":"/default/a","events":["1"],"authorization":{}}', 'BadRequestException', undefined],
  ])('answers %s with an error frame and keeps the socket open', async (_what, frame, errorType, id) => {
    const api = await fx.start();
    const client = await fx.ready(api);
    client.send(frame);
    const error = await client.nextOf('error');
    expect(error.errors).toEqual([expect.objectContaining({ errorType })]);
    expect(error.id).toBe(id);
    expect((await subscribe(client, '/default/a', keyAuth(api))).type).toBe('subscribe_success');
  });

  it('answers a binary frame with an error frame and keeps the socket open', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    client.ws.send(Buffer.from('{"type":"connection_init"}'), { binary: true });
    expect((await client.nextOf('error')).errors).toEqual([{ errorType: 'BadRequestException', message: 'Binary frames are not supported' }]);
    client.send({ type: 'connection_init' });
    await client.nextOf('connection_ack');
  });

  it('answers an operation with an id but a malformed body with its own *_error', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    client.send({ type: 'subscribe', id: 'nochan', authorization: keyAuth(api) });
    expect((await client.nextOf('subscribe_error', 'nochan')).errors).toEqual([expect.objectContaining({ errorType: 'BadRequestException' })]);
    client.send({ type: 'publish', id: 'noevents', channel: '/default/a', authorization: keyAuth(api) });
    expect((await client.nextOf('publish_error', 'noevents')).errors).toEqual([expect.objectContaining({ errorType: 'BadRequestException' })]);
    client.send({ type: 'publish', id: 'objevents', channel: '/default/a', events: [{ a: 1 }], authorization: keyAuth(api) });
    expect((await client.nextOf('publish_error', 'objevents')).errors).toEqual([expect.objectContaining({ errorType: 'BadRequestException' })]);
  });

  it('ignores unknown extra fields such as amplify-js’s legacy payload wrapper', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    const auth = { ...keyAuth(api), 'x-amz-user-agent': 'test' };
    client.send({ type: 'subscribe', id: 'amp', channel: '/default/a', authorization: auth, payload: { channel: '/default/a', extensions: { authorization: auth } } });
    await client.nextOf('subscribe_success', 'amp');
  });
});
