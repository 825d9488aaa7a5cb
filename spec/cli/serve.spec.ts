import { EventEmitter, once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { apiKeyAuth, createEventsClient } from '../../src';
import { READY_LINE } from '../../src/cli/banner';
import { runServe, type ServeHandle } from '../../src/cli/serve';
import { captureIo, httpPublish, httpsPublish, openSocket, portIsFree, readBanner, type TestSocket } from './helpers';

/** Everything a test started, stopped after it even when it fails. */
const handles: ServeHandle[] = [];
const sockets: TestSocket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await Promise.all(handles.splice(0).map((h) => h.stop()));
});

async function start(argv: string[], signals?: EventEmitter): Promise<{ handle: ServeHandle; io: ReturnType<typeof captureIo> }> {
  const io = captureIo(signals);
  const handle = await runServe(argv, io);
  handles.push(handle);
  return { handle, io };
}

async function connect(...args: Parameters<typeof openSocket>): Promise<TestSocket> {
  const socket = await openSocket(...args);
  sockets.push(socket);
  return socket;
}

describe('runServe', () => {
  it('prints real endpoints and key: a WebSocket client gets an ack and receives what is published over HTTP', async () => {
    const { handle, io } = await start(['--port', '0', '--api-key', 'da2-cli-spec-key', '--namespace', 'chat']);
    const printed = readBanner(io.out());
    expect(printed.httpEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/event$/);
    expect(printed.realtimeEndpoint).toBe(`ws://${printed.host}/event/realtime`);
    expect(printed.apiKey).toBe('da2-cli-spec-key');
    expect(printed.port).toBeGreaterThan(0);
    expect(handle.api?.port).toBe(printed.port);
    expect(io.out()).toContain("auth: apiKeyAuth('da2-cli-spec-key'),");
    expect(io.err()).toBe('');

    const socket = await connect(printed, printed.apiKey);
    expect(await socket.next('connection_ack', 'connection_error')).toMatchObject({ type: 'connection_ack' });
    socket.ws.send(JSON.stringify({ type: 'subscribe', id: 'sub-1', channel: '/chat/room', authorization: { host: printed.host, 'x-api-key': printed.apiKey } }));
    expect(await socket.next('subscribe_success', 'subscribe_error')).toEqual({ type: 'subscribe_success', id: 'sub-1' });

    const published = await httpPublish(printed.httpEndpoint, printed.apiKey, '/chat/room', [{ text: 'hi' }]);
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ failed: [], successful: [{ index: 0 }] });
    const data = await socket.next('data');
    expect(data['id']).toBe('sub-1');
    expect(JSON.parse(String(data['event']))).toEqual({ text: 'hi' });
  });

  it('prints a TypeScript snippet that works as printed with createEventsClient', async () => {
    const { io } = await start(['--port', '0', '--api-key', 'snippet-key']);
    const snippet = /createEventsClient\(\{\n {4}httpEndpoint: '([^']+)',\n {4}realtimeEndpoint: '([^']+)',\n {4}auth: apiKeyAuth\('([^']+)'\),\n {2}\}\);/.exec(io.out());
    expect(snippet).not.toBeNull();
    const [, httpEndpoint, realtimeEndpoint, key] = snippet as RegExpExecArray;
    const client = createEventsClient({ httpEndpoint: httpEndpoint as string, realtimeEndpoint: realtimeEndpoint as string, auth: apiKeyAuth(key as string) });
    try {
      const received = firstValueFrom(client.subscribe<{ n: number }>('/default/snippet'));
      await firstValueFrom(client.subscribed$);
      expect(await firstValueFrom(client.publish('/default/snippet', [{ n: 1 }]))).toEqual({ successful: [0], failed: [] });
      expect(await received).toEqual({ n: 1 });
    } finally {
      client.close();
    }
  });

  it('uses exactly the given namespaces', async () => {
    const { io } = await start(['--port', '0', '--api-key', 'k-ns', '--namespace', 'chat', '--namespace', 'game']);
    const printed = readBanner(io.out());
    expect((await httpPublish(printed.httpEndpoint, 'k-ns', '/game/x', [1])).status).toBe(200);
    const refused = await httpPublish(printed.httpEndpoint, 'k-ns', '/default/x', [1]);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
  });

  it('makes up a random key when none is given, and accepts only it', async () => {
    const first = await start(['--port', '0']);
    const second = await start(['--port', '0']);
    const a = readBanner(first.io.out());
    const b = readBanner(second.io.out());
    expect(a.apiKey).not.toBe('');
    expect(a.apiKey).not.toBe(b.apiKey);
    expect(first.handle.api?.apiKeys).toEqual([a.apiKey]);
    expect((await httpPublish(a.httpEndpoint, a.apiKey, '/default/x', [1])).status).toBe(200);
    expect((await httpPublish(a.httpEndpoint, b.apiKey, '/default/x', [1])).status).toBe(401);

    const intruder = await connect(a, b.apiKey);
    expect(await intruder.next('connection_ack', 'connection_error')).toMatchObject({ type: 'connection_error' });
  });

  it('accepts every repeated --api-key', async () => {
    const { io } = await start(['--port', '0', '--api-key', 'key-one', '--api-key', 'key-two']);
    const printed = readBanner(io.out());
    expect(printed.apiKey).toBe('key-one');
    expect(io.out()).toMatch(/Other API keys: +key-two\n/);
    expect((await httpPublish(printed.httpEndpoint, 'key-one', '/default/x', [1])).status).toBe(200);
    expect((await httpPublish(printed.httpEndpoint, 'key-two', '/default/x', [1])).status).toBe(200);
    expect((await httpPublish(printed.httpEndpoint, 'key-three', '/default/x', [1])).status).toBe(401);
  });

  it('sends keep-alives at --ka-interval', async () => {
    const { io } = await start(['--port', '0', '--api-key', 'k', '--ka-interval', '20']);
    const printed = readBanner(io.out());
    expect(io.out()).toMatch(/Keep-alive: +every 20 ms\n/);
    const socket = await connect(printed, 'k');
    await socket.next('connection_ack');
    expect(await socket.next('ka')).toEqual({ type: 'ka' });
    expect(await socket.next('ka')).toEqual({ type: 'ka' });
  });

  it('--tls serves wss and https with a certificate a client can trust, and deletes it on stop', async () => {
    const { handle, io } = await start(['--port', '0', '--api-key', 'tls-key', '--tls']);
    const printed = readBanner(io.out());
    expect(printed.httpEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/event$/);
    expect(printed.realtimeEndpoint).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/event\/realtime$/);
    expect(printed.certificatePath).toBe(handle.certificatePath);
    expect(io.out()).toContain(`NODE_EXTRA_CA_CERTS=${printed.certificatePath}`);
    expect(io.out()).not.toContain('PRIVATE KEY');
    const ca = readFileSync(printed.certificatePath as string, 'utf8');

    const socket = await connect(printed, 'tls-key', ca);
    expect(await socket.next('connection_ack', 'connection_error')).toMatchObject({ type: 'connection_ack' });
    socket.ws.send(JSON.stringify({ type: 'subscribe', id: 'tls-sub', channel: '/default/*', authorization: { host: printed.host, 'x-api-key': 'tls-key' } }));
    await socket.next('subscribe_success');
    const published = await httpsPublish(printed.httpEndpoint, 'tls-key', '/default/secure', [{ over: 'tls' }], ca);
    expect(published.status).toBe(200);
    expect(JSON.parse(String((await socket.next('data'))['event']))).toEqual({ over: 'tls' });

    await socket.close();
    expect(await handle.stop()).toBe(0);
    expect(existsSync(dirname(printed.certificatePath as string))).toBe(false);
  });

  it('stop() closes the emulator, releases the port and resolves finished with 0; it is idempotent', async () => {
    const { handle, io } = await start(['--port', '0', '--api-key', 'k']);
    const printed = readBanner(io.out());
    const socket = await connect(printed, 'k');
    await socket.next('connection_ack');
    const closed = once(socket.ws, 'close');

    const [a, b] = await Promise.all([handle.stop(), handle.stop()]);
    expect([a, b]).toEqual([0, 0]);
    expect(await handle.finished).toBe(0);
    await closed;
    expect(await portIsFree(printed.port)).toBe(true);
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s stops it cleanly and removes the signal listeners', async (signal) => {
    const signals = new EventEmitter();
    const { handle, io } = await start(['--port', '0'], signals);
    const printed = readBanner(io.out());
    expect(signals.eventNames().map((name) => [name, signals.listenerCount(name)])).toEqual([
      ['SIGINT', 1],
      ['SIGTERM', 1],
      ['SIGHUP', 1],
    ]);

    signals.emit(signal);
    expect(await handle.finished).toBe(0);
    expect(signals.eventNames()).toEqual([]);
    expect(io.err()).toContain('Shutting down');
    expect(await portIsFree(printed.port)).toBe(true);
  });

  it('listens for signals before printing the banner, so a reader may signal as soon as it appears', async () => {
    const signals = new EventEmitter();
    const io = captureIo(signals);
    const listenersWhenPrinted: number[] = [];
    const write = io.stdout.write;
    const handle = await runServe(['--port', '0'], {
      ...io,
      stdout: { write: (text: string) => (listenersWhenPrinted.push(signals.listenerCount('SIGTERM')), write(text)) },
    });
    handles.push(handle);
    expect(listenersWhenPrinted).toEqual([1]);
    signals.emit('SIGTERM');
    expect(await handle.finished).toBe(0);
  });

  it('a signal during start-up stops it as soon as it is up, without a banner, removing the certificate', async () => {
    const signals = new EventEmitter();
    const io = captureIo(signals);
    const starting = runServe(['--port', '0', '--tls'], io);
    signals.emit('SIGINT');
    const handle = await starting;
    handles.push(handle);
    expect(await handle.finished).toBe(0);
    expect(io.out()).toBe('');
    expect(io.err()).toContain('Shutting down');
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(handle.certificatePath).toBeDefined();
    expect(existsSync(dirname(handle.certificatePath as string))).toBe(false);
    expect(await portIsFree(handle.api?.port as number)).toBe(true);
  });

  it('prints help for --help and starts nothing', async () => {
    const signals = new EventEmitter();
    const { handle, io } = await start(['--help'], signals);
    expect(await handle.finished).toBe(0);
    expect(handle.api).toBeUndefined();
    expect(io.out()).toContain('appsync-events serve [options]');
    expect(io.out()).toContain('--ka-interval MS');
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('explains a usage error on stderr with exit code 2, starting nothing', async () => {
    const signals = new EventEmitter();
    const { handle, io } = await start(['--port', 'eighty'], signals);
    expect(await handle.finished).toBe(2);
    expect(handle.api).toBeUndefined();
    expect(io.out()).toBe('');
    expect(io.err()).toBe(
      "appsync-events: option --port must be a port number, an integer from 0 to 65535; got 'eighty'\nRun 'appsync-events serve --help' for usage.\n",
    );
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('explains a port already in use with exit code 1, leaving no listener behind', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    try {
      const signals = new EventEmitter();
      const { handle, io } = await start(['--port', String(port), '--tls'], signals);
      expect(await handle.finished).toBe(1);
      expect(io.err()).toBe(
        `appsync-events: cannot listen on 127.0.0.1:${port}: the port is already in use. Pick another with --port, or --port 0 for a free one.\n`,
      );
      expect(io.out()).not.toContain(READY_LINE);
      expect(signals.listenerCount('SIGINT')).toBe(0);
    } finally {
      blocker.close();
      await once(blocker, 'close');
    }
  });
});
