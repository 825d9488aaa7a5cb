import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { generate } from 'selfsigned';
import { connectRaw, UpgradeRefusedError } from '../helpers/raw-ws';
import { emulatorFixture, keyAuth } from './fixture';

const fx = emulatorFixture();
const UNAUTHORIZED_FRAME = {
  type: 'connection_error',
  errors: [{ errorType: 'UnauthorizedException', errorCode: 401, message: 'You are not authorized to make this call.' }],
};

function withoutRaw(frame: Record<string, unknown>): Record<string, unknown> {
  const { raw: _raw, ...rest } = frame;
  return rest;
}

describe('WebSocket handshake', () => {
  it('selects aws-appsync-event-ws and never echoes the header- token', async () => {
    const api = await fx.start();
    const client = await fx.connect(api);
    expect(client.ws.protocol).toBe('aws-appsync-event-ws');
  });

  it('answers connection_init with connection_ack carrying the configured connectionTimeoutMs, and a second init with another ack', async () => {
    const api = await fx.start({ connectionTimeoutMs: 1234 });
    const client = await fx.connect(api);
    client.send({ type: 'connection_init' });
    expect(withoutRaw(await client.nextOf('connection_ack'))).toEqual({ type: 'connection_ack', connectionTimeoutMs: 1234 });
    client.send({ type: 'connection_init' });
    expect((await client.nextOf('connection_ack')).connectionTimeoutMs).toBe(1234);
  });

  it('defaults connectionTimeoutMs to 300000', async () => {
    const api = await fx.start();
    const client = await fx.connect(api);
    client.send({ type: 'connection_init' });
    expect((await client.nextOf('connection_ack')).connectionTimeoutMs).toBe(300000);
  });

  it('sends ka frames every keepAliveIntervalMs from socket open, without connection_init and without an ack', async () => {
    const api = await fx.start({ keepAliveIntervalMs: 25 });
    const client = await fx.connect(api);
    const opened = Date.now();
    await client.nextOf('ka');
    await client.nextOf('ka');
    await client.nextOf('ka');
    expect(Date.now() - opened).toBeGreaterThanOrEqual(70);
    expect(client.frames.every((f) => f.type === 'ka')).toBe(true);
    expect(client.frames[0]?.raw).toBe('{"type":"ka"}');
  });

  it('accepts the auth object as plain upgrade headers (native clients), case-insensitively', async () => {
    const api = await fx.start();
    const client = await fx.connect(api, { protocols: ['aws-appsync-event-ws'], headers: { 'X-Api-Key': api.apiKey } });
    expect(client.ws.protocol).toBe('aws-appsync-event-ws');
    client.send({ type: 'connection_init' });
    expect((await client.nextOf('connection_ack')).type).toBe('connection_ack');
  });

  it('accepts upper-case keys inside the header- object', async () => {
    const api = await fx.start();
    const client = await fx.connect(api, { protocols: ['aws-appsync-event-ws', headerToken({ Host: api.host, 'X-API-KEY': api.apiKey })] });
    client.send({ type: 'connection_init' });
    await client.nextOf('connection_ack');
  });

  it('does not fail the upgrade on a bad key: answers connection_init with connection_error and closes with 1000', async () => {
    const api = await fx.start();
    const client = await fx.connect(api, { protocols: ['aws-appsync-event-ws', headerToken({ host: api.host, 'x-api-key': 'da2-wrongwrongwrongwrongwrongwr' })] });
    expect(client.ws.protocol).toBe('aws-appsync-event-ws');
    client.send({ type: 'connection_init' });
    expect(withoutRaw(await client.nextOf('connection_error'))).toEqual(UNAUTHORIZED_FRAME);
    expect((await client.closed).code).toBe(1000);
    expect(client.frames.some((f) => f.raw.includes('wrongwrong'))).toBe(false);
  });

  it('answers the first operation with connection_error when a client with bad credentials skips connection_init', async () => {
    const api = await fx.start();
    const client = await fx.connect(api, { protocols: ['aws-appsync-event-ws'] });
    client.send({ type: 'subscribe', id: 's1', channel: '/default/a', authorization: keyAuth(api) });
    expect(withoutRaw(await client.nextOf('connection_error'))).toEqual(UNAUTHORIZED_FRAME);
    expect((await client.closed).code).toBe(1000);
    expect(client.frames.map((f) => f.type)).toEqual(['connection_error']);
  });

  it('refuses a connect auth object without host', async () => {
    const api = await fx.start();
    const client = await fx.connect(api, { protocols: ['aws-appsync-event-ws', headerToken({ 'x-api-key': api.apiKey })] });
    client.send({ type: 'connection_init' });
    expect(withoutRaw(await client.nextOf('connection_error'))).toEqual(UNAUTHORIZED_FRAME);
    expect((await client.closed).code).toBe(1000);
  });

  it('refuses an unreadable header- token', async () => {
    const api = await fx.start();
    const client = await fx.connect(api, { protocols: ['aws-appsync-event-ws', 'header-bm90LWpzb24'] });
    client.send({ type: 'connection_init' });
    await client.nextOf('connection_error');
  });

  it('accepts any host by default but only its own with strictHost', async () => {
    const lax = await fx.start();
    const a = await fx.connect(lax, { protocols: ['aws-appsync-event-ws', headerToken({ host: 'example.com', 'x-api-key': lax.apiKey })] });
    a.send({ type: 'connection_init' });
    await a.nextOf('connection_ack');

    const strict = await fx.start({ strictHost: true });
    const b = await fx.connect(strict, { protocols: ['aws-appsync-event-ws', headerToken({ host: 'example.com', 'x-api-key': strict.apiKey })] });
    b.send({ type: 'connection_init' });
    await b.nextOf('connection_error');
    const c = await fx.ready(strict);
    expect(c.ws.protocol).toBe('aws-appsync-event-ws');
  });

  it('answers upgrades on other paths with 404', async () => {
    const api = await fx.start();
    const url = api.realtimeEndpoint.replace('/event/realtime', '/graphql/realtime');
    await expect(connectRaw(url, { protocols: ['aws-appsync-event-ws'] })).rejects.toEqual(new UpgradeRefusedError(404));
  });

  it('ignores query parameters on the realtime URL', async () => {
    const api = await fx.start();
    const client = await connectRaw(`${api.realtimeEndpoint}?header=e30&payload=e30`, { protocols: ['aws-appsync-event-ws', headerToken(keyAuth(api))] });
    client.send({ type: 'connection_init' });
    await client.nextOf('connection_ack');
    await client.close();
  });

  it('selects no subprotocol when aws-appsync-event-ws is not offered (the client then fails the handshake)', async () => {
    const api = await fx.start();
    await expect(connectRaw(api.realtimeEndpoint, { protocols: [headerToken(keyAuth(api))] })).rejects.toThrow(/subprotocol/i);
  });

  it('tolerates = padding (standard Base64) and a trailing newline in the header- token', async () => {
    const api = await fx.start();
    let json = `${JSON.stringify({ host: api.host, 'x-api-key': api.apiKey })}\n`;
    while (Buffer.byteLength(json) % 3 === 0) json += ' ';
    const padded = Buffer.from(json, 'utf8').toString('base64');
    expect(padded.endsWith('=')).toBe(true);
    const socket = await rawUpgrade(api.port, `aws-appsync-event-ws, header-${padded}`);
    try {
      expect(socket.protocol).toBe('aws-appsync-event-ws');
      socket.send('{"type":"connection_init"}');
      expect(JSON.parse(await socket.nextText())).toEqual({ type: 'connection_ack', connectionTimeoutMs: 300000 });
    } finally {
      socket.destroy();
    }
  });

  it('closes connections that reach maxConnectionAgeMs with 1000', async () => {
    const api = await fx.start({ maxConnectionAgeMs: 40 });
    const client = await fx.ready(api);
    expect((await client.closed).code).toBe(1000);
    expect(api.connectionIds()).toEqual([]);
  });

  it('serves wss and https with the tls option', async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const api = await fx.start({ tls: { key: pems.private, cert: pems.cert } });
    expect(api.realtimeEndpoint).toBe(`wss://${api.host}/event/realtime`);
    expect(api.httpEndpoint).toBe(`https://${api.host}/event`);
    expect(api.certificate).toBe(pems.cert);
    const client = await fx.ready(api, { ca: pems.cert, protocols: ['aws-appsync-event-ws', headerToken(keyAuth(api))] });
    expect(client.ws.protocol).toBe('aws-appsync-event-ws');

    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(api.httpEndpoint, { method: 'POST', ca: pems.cert, headers: { 'x-api-key': api.apiKey, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ channel: '/default/tls', events: ['1'] }));
    });
    expect(status).toBe(200);
  });
});

function headerToken(auth: Readonly<Record<string, string | undefined>>): string {
  return `header-${Buffer.from(JSON.stringify(auth), 'utf8').toString('base64url')}`;
}

interface RawSocket {
  readonly protocol: string | undefined;
  send(text: string): void;
  nextText(): Promise<string>;
  destroy(): void;
}

/**
 * A hand-made WebSocket handshake, for subprotocol tokens the `ws` client refuses to send (such as
 * a padded header- token). Supports short unfragmented text frames only.
 */
function rawUpgrade(port: number, protocols: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/event/realtime',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': protocols,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    req.on('upgrade', (res, socket: Socket) => {
      let buffer = Buffer.alloc(0);
      const waiters: ((text: string) => void)[] = [];
      const texts: string[] = [];
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        while (buffer.length >= 2 && buffer.length >= 2 + ((buffer[1] as number) & 0x7f)) {
          const length = (buffer[1] as number) & 0x7f;
          const text = buffer.subarray(2, 2 + length).toString('utf8');
          buffer = buffer.subarray(2 + length);
          const waiter = waiters.shift();
          if (waiter) waiter(text);
          else texts.push(text);
        }
      });
      socket.on('error', () => undefined);
      const protocol = res.headers['sec-websocket-protocol'];
      resolve({
        protocol: typeof protocol === 'string' ? protocol : undefined,
        send(text) {
          const payload = Buffer.from(text, 'utf8');
          const mask = randomBytes(4);
          const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
          socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
        },
        nextText() {
          const text = texts.shift();
          return text !== undefined ? Promise.resolve(text) : new Promise((r) => waiters.push(r));
        },
        destroy() {
          socket.destroy();
        },
      });
    });
    req.end();
  });
}
