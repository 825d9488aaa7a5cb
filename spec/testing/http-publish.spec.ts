import { handlerError } from '../../src/testing';
import type { EventApi } from '../../src/testing';
import { emulatorFixture, keyAuth, subscribe } from './fixture';

const fx = emulatorFixture();

async function post(api: EventApi, body: unknown, headers: Record<string, string> = { 'x-api-key': api.apiKey }): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(api.httpEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: res.headers };
}

function errorOf(errorType: string, message?: string): unknown {
  return { errors: [message === undefined ? { errorType, message: expect.any(String) } : { errorType, message }] };
}

describe('HTTP publish (POST /event)', () => {
  it('publishes with 200 {successful, failed} and delivers to WebSocket subscribers; the leading / is optional', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    await subscribe(client, '/default/*', keyAuth(api), 's');
    const res = await post(api, { channel: 'default/http', events: ['{"a":1}', '"b"'] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.body).toEqual({ successful: [{ identifier: expect.any(String), index: 0 }, { identifier: expect.any(String), index: 1 }], failed: [] });
    expect((await client.nextOf('data', 's')).event).toBe('{"a":1}');
    expect((await client.nextOf('data', 's')).event).toBe('"b"');
    expect(api.stats().httpPublishes).toBe(1);
  });

  it('reports an oversize event in failed[] with 200', async () => {
    const api = await fx.start();
    const res = await post(api, { channel: '/default/a', events: ['1', JSON.stringify('z'.repeat(241 * 1024))] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      successful: [{ identifier: expect.any(String), index: 0 }],
      failed: [{ identifier: expect.any(String), index: 1, code: 'EventTooLargeException', message: expect.any(String) }],
    });
  });

  it.each([
    ['a body that is not JSON', '{nope'],
    ['a body that is not an object', '[1]'],
    ['a missing channel', { events: ['1'] }],
    ['an invalid channel', { channel: '/default/a_b', events: ['1'] }],
    ['a wildcard channel', { channel: '/default/*', events: ['1'] }],
    ['an unknown namespace', { channel: '/nope/a', events: ['1'] }],
    ['no events array', { channel: '/default/a' }],
    ['0 events', { channel: '/default/a', events: [] }],
    ['6 events', { channel: '/default/a', events: ['1', '2', '3', '4', '5', '6'] }],
    ['an event that is not valid JSON', { channel: '/default/a', events: ['1', 'hi'] }],
    ['an event that is not a string', { channel: '/default/a', events: [{ a: 1 }] }],
  ])('answers %s with 400 BadRequestException', async (_what, body) => {
    const api = await fx.start();
    const res = await post(api, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorOf('BadRequestException'));
  });

  it('answers missing or invalid credentials with 401 UnauthorizedException, without echoing the key', async () => {
    const api = await fx.start();
    const missing = await post(api, { channel: '/default/a', events: ['1'] }, {});
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual(errorOf('UnauthorizedException', 'You are not authorized to make this call.'));
    const wrong = await post(api, { channel: '/default/a', events: ['1'] }, { 'X-Api-Key': 'da2-wrongwrongwrongwrongwrongwr' });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong.body)).not.toContain('wrongwrong');
  });

  it('answers 403 UnauthorizedException when the mode is not allowed for the namespace or a handler refuses', async () => {
    const api = await fx.start({
      authorizers: { lambda: (token) => token === 'ok' },
      namespaces: [
        { name: 'default', publishAuthModes: ['AWS_LAMBDA'] },
        { name: 'closed', onPublish: () => handlerError('no publishing today') },
      ],
    });
    const mode = await post(api, { channel: '/default/a', events: ['1'] });
    expect(mode.status).toBe(403);
    expect(mode.body).toEqual(errorOf('UnauthorizedException'));
    expect((await post(api, { channel: '/default/a', events: ['1'] }, { authorization: 'ok' })).status).toBe(200);
    const handler = await post(api, { channel: '/closed/a', events: ['1'] });
    expect(handler.status).toBe(403);
    expect(handler.body).toEqual(errorOf('UnauthorizedException', 'no publishing today'));
  });

  it('answers other paths with 404 and other methods on /event with 405', async () => {
    const api = await fx.start();
    const notFound = await fetch(api.httpEndpoint.replace('/event', '/graphql'), { method: 'POST', body: '{}' });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual(errorOf('NotFoundException'));
    const get = await fetch(api.httpEndpoint);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    expect(await get.json()).toEqual(errorOf('MethodNotAllowedException'));
    expect((await fetch(api.httpEndpoint, { method: 'PUT', body: '{}' })).status).toBe(405);
  });

  it('answers CORS preflights permissively', async () => {
    const api = await fx.start();
    const res = await fetch(api.httpEndpoint, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:4200', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(',').map((h) => h.trim());
    expect(allowed).toEqual(expect.arrayContaining(['content-type', 'x-api-key', 'authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-user-agent']));
  });

  it('records HTTP publishes in traffic$', async () => {
    const api = await fx.start();
    const seen: { direction: string; connectionId: string; type: string; raw: string }[] = [];
    const sub = api.traffic$.subscribe((t) => seen.push(t));
    const body = JSON.stringify({ channel: '/default/a', events: ['1'] });
    await post(api, body);
    sub.unsubscribe();
    expect(seen[0]).toEqual({ direction: 'in', connectionId: 'http', type: 'http-publish', raw: body });
    expect(seen[1]).toMatchObject({ direction: 'out', connectionId: 'http', type: 'http-publish' });
    expect(JSON.parse(seen[1]?.raw ?? '')).toMatchObject({ failed: [] });
  });
});
