/**
 * The emulator against docs/emulator.md, found by a review of 29 Nov 2026 (each failed before its
 * fix): a refused connection gets no `ka` while an async validator decides, and a frame's shape is
 * refused before its id's format.
 */
import { request } from 'node:http';
import { filter, firstValueFrom } from 'rxjs';
import type { EventApi } from '../../src/testing';
import { headerSubprotocols } from '../helpers/raw-ws';
import { emulatorFixture, keyAuth } from './fixture';

const fx = emulatorFixture();

/** POST /event with raw header lines (an array value sends the header once per entry). */
function post(api: EventApi, body: string, headers: Record<string, string | string[]>): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const url = new URL(api.httpEndpoint);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : (JSON.parse(text) as unknown) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('keep-alive on a connection whose credentials are refused', () => {
  // docs/emulator.md "Protocol behaviour in short": ka frames start when the socket opens "(not for a
  // connection whose credentials were refused: it only gets its connection_error)".
  it('sends nothing but connection_error, even when the (async) validator takes longer than one ka interval', async () => {
    let release!: () => void;
    const decided = new Promise<void>((resolve) => (release = resolve));
    const api = await fx.start({
      apiKeys: [],
      keepAliveIntervalMs: 10,
      authorizers: {
        lambda: async () => {
          await decided;
          return false; // refused
        },
      },
    });
    // The validator answers once the emulator has sent a ka to this connection, or after 200 ms
    // (a correct emulator sends none, so the fallback lets the test finish).
    const firstKa = firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'out' && t.type === 'ka')));
    const fallback = setTimeout(release, 200);
    void firstKa.then(release, () => undefined);
    const client = await fx.connect(api, { protocols: headerSubprotocols({ host: api.host, Authorization: 'some-token' }) });
    client.send({ type: 'connection_init' });
    await client.nextOf('connection_error');
    clearTimeout(fallback);
    expect(client.frames.map((f) => f.type)).toEqual(['connection_error']);
  });
});


describe('WebSocket: shape before id format', () => {
  // docs/emulator.md: "Before the checks below [id format → …], a frame must have the protocol's
  // shape (…, an authorization object, …); one that does not is refused first (BadRequestException,
  // or UnauthorizedException without authorization)."
  it('refuses a subscribe with an invalid id and no authorization with UnauthorizedException', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    client.send({ type: 'subscribe', id: 'has space', channel: '/default/a' });
    const reply = await client.nextOf('subscribe_error', 'has space');
    expect(reply.errors).toEqual([expect.objectContaining({ errorType: 'UnauthorizedException' })]);
    // sanity: with authorization the id error is the right one
    client.send({ type: 'subscribe', id: 'has space', channel: '/default/a', authorization: keyAuth(api) });
    expect((await client.nextOf('subscribe_error', 'has space')).errors).toEqual([expect.objectContaining({ errorType: 'BadRequestException' })]);
  });
});

describe('HTTP publish: channel and namespace, then credentials, then events (docs/emulator.md)', () => {
  it('answers a request without credentials with 400 when it has no channel, 401 when it has one', async () => {
    const api = await fx.start();
    expect(await post(api, JSON.stringify({ events: ['1'] }), {})).toMatchObject({ status: 400 });
    const refused = await post(api, JSON.stringify({ channel: '/default/a', events: ['1'] }), {});
    expect(refused).toEqual({ status: 401, body: { errors: [expect.objectContaining({ errorType: 'UnauthorizedException' })] } });
  });
});
