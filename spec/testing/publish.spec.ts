import { handlerError, HandlerError, unauthorized } from '../../src/testing';
import type { HandlerContext } from '../../src/testing';
import { emulatorFixture, keyAuth, opId, publish, subscribe } from './fixture';

const fx = emulatorFixture();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('publish over WebSocket', () => {
  it('answers publish_success with a uuid identifier per event, in index order', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    const reply = await publish(client, '/default/a', ['1', '2', '3'], keyAuth(api), 'p-1');
    expect(reply.type).toBe('publish_success');
    expect(reply.id).toBe('p-1');
    expect(reply.failed).toEqual([]);
    const successful = reply.successful as { identifier: string; index: number }[];
    expect(successful.map((s) => s.index)).toEqual([0, 1, 2]);
    for (const s of successful) expect(s.identifier).toMatch(UUID);
    expect(new Set(successful.map((s) => s.identifier)).size).toBe(3);
  });

  it('reports an event over 240 KB in failed[] with EventTooLargeException and broadcasts the others', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    await subscribe(client, '/default/*', keyAuth(api), 's');
    const big = JSON.stringify('x'.repeat(241 * 1024));
    const reply = await publish(client, '/default/a', ['"small"', big, '"after"'], keyAuth(api));
    expect(reply.type).toBe('publish_success');
    expect((reply.successful as { index: number }[]).map((s) => s.index)).toEqual([0, 2]);
    expect(reply.failed).toEqual([{ identifier: expect.stringMatching(UUID), index: 1, code: 'EventTooLargeException', message: expect.stringContaining('240 KB') }]);
    expect((await client.nextOf('data', 's')).event).toBe('"small"');
    expect((await client.nextOf('data', 's')).event).toBe('"after"');
    expect(api.stats().eventsPublished).toBe(2);
  });

  it.each([0, 6])('rejects %i events with publish_error BadRequestException', async (count) => {
    const api = await fx.start();
    const client = await fx.ready(api);
    const reply = await publish(client, '/default/a', Array.from({ length: count }, (_, i) => String(i)), keyAuth(api));
    expect(reply).toMatchObject({ type: 'publish_error', errors: [{ errorType: 'BadRequestException' }] });
  });

  it('rejects an event that is not valid JSON with publish_error and broadcasts nothing', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api), 's');
    const reply = await publish(client, '/default/a', ['1', 'hi'], keyAuth(api));
    expect(reply).toMatchObject({ type: 'publish_error', errors: [{ errorType: 'BadRequestException', message: expect.stringContaining('Event 1') }] });
    await publish(client, '/default/a', ['"marker"'], keyAuth(api));
    expect((await client.nextOf('data', 's')).event).toBe('"marker"');
  });

  it.each([
    ['a wildcard channel', '/default/*', 'BadRequestException'],
    ['an invalid channel', '/default/a b', 'BadRequestException'],
    ['an unknown namespace', '/nope/a', 'BadRequestException'],
  ])('rejects %s', async (_what, channel, errorType) => {
    const api = await fx.start();
    const client = await fx.ready(api);
    expect(await publish(client, channel, ['1'], keyAuth(api))).toMatchObject({ type: 'publish_error', errors: [{ errorType }] });
  });

  it('rejects an invalid id and missing or wrong credentials', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    expect(await publish(client, '/default/a', ['1'], keyAuth(api), 'bad id')).toMatchObject({ type: 'publish_error', id: 'bad id', errors: [{ errorType: 'BadRequestException' }] });
    expect(await publish(client, '/default/a', ['1'], { host: api.host })).toMatchObject({ type: 'publish_error', errors: [{ errorType: 'UnauthorizedException' }] });
    expect(await publish(client, '/default/a', ['1'], { 'x-api-key': 'da2-nopenopenopenopenopenopenop' })).toMatchObject({
      type: 'publish_error',
      errors: [{ errorType: 'UnauthorizedException' }],
    });
    client.send({ type: 'publish', id: 'noauth', channel: '/default/a', events: ['1'] });
    expect(await client.nextOf('publish_error', 'noauth')).toMatchObject({ errors: [{ errorType: 'UnauthorizedException' }] });
  });

  it('limits publish requests per connection per second with LimitExceededError', async () => {
    const api = await fx.start({ publishRateLimit: 3 });
    const client = await fx.ready(api);
    const other = await fx.ready(api);
    const ids = [opId(), opId(), opId(), opId()];
    for (const id of ids) client.send({ type: 'publish', id, channel: '/default/a', events: ['1'], authorization: keyAuth(api) });
    const replies = await Promise.all(ids.map((id) => client.next((f) => f.id === id)));
    expect(replies.map((r) => r.type)).toEqual(['publish_success', 'publish_success', 'publish_success', 'publish_error']);
    expect(replies[3]?.errors).toEqual([expect.objectContaining({ errorType: 'LimitExceededError' })]);
    // The limit is per connection.
    expect((await publish(other, '/default/a', ['1'], keyAuth(api))).type).toBe('publish_success');
  });

  it('applies the default limit of 25 per second', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    const ids = Array.from({ length: 26 }, () => opId());
    for (const id of ids) client.send({ type: 'publish', id, channel: '/default/a', events: ['1'], authorization: keyAuth(api) });
    const replies = await Promise.all(ids.map((id) => client.next((f) => f.id === id)));
    expect(replies.filter((r) => r.type === 'publish_success')).toHaveLength(25);
    expect(replies[25]?.type).toBe('publish_error');
  });

  it('does not rate-limit with publishRateLimit: false', async () => {
    const api = await fx.start({ publishRateLimit: false });
    const client = await fx.ready(api);
    const ids = Array.from({ length: 40 }, () => opId());
    for (const id of ids) client.send({ type: 'publish', id, channel: '/default/a', events: ['1'], authorization: keyAuth(api) });
    const replies = await Promise.all(ids.map((id) => client.next((f) => f.id === id)));
    expect(replies.every((r) => r.type === 'publish_success')).toBe(true);
  });
});

describe('namespace handlers', () => {
  it('onPublish sees parsed payloads with the server identifiers and the request context; a transformed payload is re-serialised', async () => {
    const seen: HandlerContext[] = [];
    const api = await fx.start({
      namespaces: [
        {
          name: 'chat',
          onPublish: (ctx) => {
            seen.push(ctx);
            return ctx.events.map((e) => (typeof e.payload === 'object' && e.payload !== null ? { ...e, payload: { ...e.payload, seen: true } } : e));
          },
        },
      ],
    });
    const client = await fx.ready(api);
    await subscribe(client, '/chat/*', keyAuth(api), 's');
    const reply = await publish(client, 'chat/room/1', ['{ "text": "hi" }', '  7  '], { ...keyAuth(api), 'X-Custom': 'yes' });
    expect(reply.type).toBe('publish_success');
    expect((await client.nextOf('data', 's')).event).toBe('{"text":"hi","seen":true}');
    expect((await client.nextOf('data', 's')).event).toBe('  7  '); // unchanged payload: original string
    const ctx = seen[0] as HandlerContext;
    expect(ctx.events.map((e) => e.payload)).toEqual([{ text: 'hi' }, 7]);
    expect(ctx.events.map((e) => e.id)).toEqual((reply.successful as { identifier: string }[]).map((s) => s.identifier));
    expect(ctx.info).toEqual({ channel: { path: '/chat/room/1', segments: ['chat', 'room', '1'] }, channelNamespace: { name: 'chat' }, operation: 'PUBLISH' });
    expect(ctx.identity).toBeNull();
    expect(ctx.request.headers['x-custom']).toBe('yes');
  });

  it('a handler that makes an event larger than 240 KB gets it reported as EventTooLargeException', async () => {
    const api = await fx.start({ namespaces: [{ name: 'default', onPublish: (ctx) => ctx.events.map((e) => ({ ...e, payload: 'y'.repeat(250_000) })) }] });
    const client = await fx.ready(api);
    const reply = await publish(client, '/default/a', ['"tiny"'], keyAuth(api));
    expect(reply).toMatchObject({ type: 'publish_success', successful: [], failed: [{ index: 0, code: 'EventTooLargeException' }] });
  });

  it('filters: dropped and null events are not broadcast but reported successful; events with error are failed', async () => {
    const api = await fx.start({
      namespaces: [
        {
          name: 'default',
          onPublish: (ctx) =>
            ctx.events.flatMap((e) => {
              if (e.payload === 'null') return [null];
              if (e.payload === 'error') return [{ ...e, error: 'not allowed' }];
              if (e.payload === 'dropped') return [];
              return [e];
            }),
        },
      ],
    });
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api), 's');
    const reply = await publish(client, '/default/a', ['"keep"', '"null"', '"error"', '"dropped"'], keyAuth(api));
    expect(reply.type).toBe('publish_success');
    expect((reply.successful as { index: number }[]).map((s) => s.index)).toEqual([0, 1, 3]);
    expect(reply.failed).toEqual([{ identifier: expect.stringMatching(UUID), index: 2, code: 'MessageProcessingError', message: 'not allowed' }]);
    expect((await client.nextOf('data', 's')).event).toBe('"keep"');
    await publish(client, '/default/a', ['"marker"'], keyAuth(api));
    expect((await client.nextOf('data', 's')).event).toBe('"marker"');
  });

  it('returning [] broadcasts nothing', async () => {
    const api = await fx.start({ namespaces: [{ name: 'default', onPublish: () => [] }] });
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api), 's');
    expect((await publish(client, '/default/a', ['1'], keyAuth(api))).successful).toHaveLength(1);
    expect(api.stats().eventsPublished).toBe(0);
  });

  it('handlerError() rejects the whole publish with the handler message; unauthorized() with errorType Unauthorized', async () => {
    const api = await fx.start({
      namespaces: [
        { name: 'closed', onPublish: () => handlerError('publishing is closed') },
        { name: 'private', onPublish: () => unauthorized() },
      ],
    });
    const client = await fx.ready(api);
    expect(await publish(client, '/closed/a', ['1'], keyAuth(api))).toMatchObject({
      type: 'publish_error',
      errors: [{ errorType: 'UnauthorizedException', message: 'publishing is closed' }],
    });
    expect(await publish(client, '/private/a', ['1'], keyAuth(api))).toMatchObject({ type: 'publish_error', errors: [{ errorType: 'Unauthorized' }] });
  });

  it('reports a crashing or misbehaving onPublish as MessageProcessingError', async () => {
    const api = await fx.start({
      namespaces: [
        { name: 'crash', onPublish: () => Promise.reject(new Error('boom')) },
        { name: 'bad', onPublish: (ctx) => [{ id: 'made-up', payload: ctx.events.length }] },
      ],
    });
    const client = await fx.ready(api);
    expect(await publish(client, '/crash/a', ['1'], keyAuth(api))).toMatchObject({ type: 'publish_error', errors: [{ errorType: 'MessageProcessingError', message: expect.stringContaining('boom') }] });
    expect(await publish(client, '/bad/a', ['1'], keyAuth(api))).toMatchObject({ type: 'publish_error', errors: [{ errorType: 'MessageProcessingError' }] });
  });

  it('onSubscribe can allow, deny (HandlerError), or deny as Unauthorized, and sees the subscribed path', async () => {
    const paths: string[] = [];
    const api = await fx.start({
      namespaces: [
        {
          name: 'default',
          onSubscribe: async (ctx) => {
            paths.push(ctx.info.channel.path);
            expect(ctx.info.operation).toBe('SUBSCRIBE');
            if (ctx.info.channel.segments[1] === 'private') unauthorized();
            if (ctx.info.channel.segments[1] === 'closed') throw new HandlerError('room closed');
            if (ctx.info.channel.segments[1] === 'crash') throw new Error('kaput');
          },
        },
      ],
    });
    const client = await fx.ready(api);
    expect((await subscribe(client, '/default/*', keyAuth(api))).type).toBe('subscribe_success');
    expect(await subscribe(client, '/default/private/x', keyAuth(api))).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'Unauthorized' }] });
    expect(await subscribe(client, '/default/closed', keyAuth(api))).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'UnauthorizedException', message: 'room closed' }] });
    expect(await subscribe(client, '/default/crash', keyAuth(api))).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'SubscriptionProcessingError' }] });
    expect(paths).toEqual(['/default/*', '/default/private/x', '/default/closed', '/default/crash']);
    expect(api.stats().subscriptions).toBe(1);
  });

  it('HandlerError.is recognises handler errors', () => {
    expect(HandlerError.is(new HandlerError('x'))).toBe(true);
    expect(HandlerError.is(new Error('x'))).toBe(false);
    expect(() => unauthorized()).toThrow(expect.objectContaining({ unauthorized: true }));
    expect(() => handlerError('m')).toThrow(expect.objectContaining({ unauthorized: false, message: 'm' }));
  });
});
