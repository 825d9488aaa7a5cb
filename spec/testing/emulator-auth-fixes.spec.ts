/**
 * Regression tests for five emulator bugs found in review: token validators answering `null` /
 * `undefined` (an unhandled rejection on connect, no reply to operations, HTTP 500), handler
 * mistakes escaping the publish pipeline (no reply at all), an incomplete CORS preflight answer,
 * `strictHost` checked on connect only, and `onPublish` returning `null`.
 *
 * "No (second) reply" is asserted against a later frame on the same socket: the emulator handles
 * the frames of one connection strictly in order, so once the reply to a later frame has arrived,
 * anything the earlier frame would have produced has arrived too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { build, stop as stopEsbuild } from 'esbuild';
import { NODE_BUNDLE, killChildren } from '../helpers/node-bundle';
import { firstValueFrom, from, type ObservableInput } from 'rxjs';
import { createEventsClient } from '../../src';
import { iamAuth } from '../../src/iam';
import type { Authorization } from '../../src/protocol/messages';
import {
  createIamVerifier,
  type EventApi,
  type HandlerEvent,
  type NamespaceConfig,
  type TokenValidator,
} from '../../src/testing';
import { authorize } from '../../src/testing/auth';
import * as handlers from '../../src/testing/handlers';
import { resolveOptions } from '../../src/testing/options';
import * as publishPipeline from '../../src/testing/publish';
import { connectRaw, headerSubprotocols, type RawClient } from '../helpers/raw-ws';
import { emulatorFixture, keyAuth, publish, subscribe } from './fixture';

const fx = emulatorFixture();

afterEach(() => jest.restoreAllMocks());

const root = resolve(__dirname, '..', '..');
const children: ChildProcess[] = [];
afterEach(() => killChildren(children));

/**
 * Connects with a token the validator answers `undefined` for, then sends nothing until the
 * validator has run and more I/O has happened (a second connection opened): an unhandled
 * rejection would have ended the process by then.
 */
const CONNECT_SCRIPT = `
import { once } from 'node:events';
import WebSocket from 'ws';
import { connectionSubprotocols } from './src/auth/header';
import { startEventApi, type TokenValidator } from './src/testing';

async function main(): Promise<void> {
  let validated!: () => void;
  const validatorCalled = new Promise<void>((resolve) => (validated = resolve));
  const lambda = (async () => {
    validated();
    return undefined;
  }) as unknown as TokenValidator;
  const api = await startEventApi({ authorizers: { lambda } });
  const refused = new WebSocket(api.realtimeEndpoint, connectionSubprotocols({ host: api.host, authorization: 'token' }));
  refused.on('error', () => undefined);
  await once(refused, 'open');
  await validatorCalled;
  console.log('validator called');
  const other = new WebSocket(api.realtimeEndpoint, connectionSubprotocols({ host: api.host, 'x-api-key': api.apiKey }));
  await once(other, 'open');
  other.close();
  console.log('alive after I/O');
  const reply = once(refused, 'message');
  const closed = once(refused, 'close');
  refused.send(JSON.stringify({ type: 'connection_init' }));
  const frame = JSON.parse(String((await reply)[0])) as { type: string; errors: { errorCode: number; errorType: string }[] };
  console.log(frame.type, frame.errors[0]?.errorCode, frame.errors[0]?.errorType);
  console.log('closed', (await closed)[0]);
  await api.close();
}
void main();
`;

/** Bundles `source` (TypeScript, imports relative to the project root) and runs it with plain Node. */
async function runNodeScript(source: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bundled = await build({ ...NODE_BUNDLE, stdin: { contents: source, resolveDir: root, sourcefile: 'script.ts', loader: 'ts' }, write: false });
  await stopEsbuild();
  const child = spawn(process.execPath, ['-'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  child.stdin?.end(bundled.outputFiles[0]?.text ?? '');
  return { code: await closed, stdout, stderr };
}

interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** A plain node:http request (fetch cannot set `Host`), to 127.0.0.1 only. */
function http(api: EventApi, method: string, body: string, headers: Record<string, string>): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(api.httpEndpoint, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function httpPublish(api: EventApi, events: readonly string[], headers: Record<string, string> = { 'x-api-key': api.apiKey }): Promise<HttpAnswer> {
  return http(api, 'POST', JSON.stringify({ channel: '/default/a', events }), { 'content-type': 'application/json', ...headers });
}

function errorsOf(answer: HttpAnswer): unknown {
  return (JSON.parse(answer.body) as { errors?: unknown }).errors;
}

/** The replies this client got for one operation id so far. */
function repliesFor(client: RawClient, id: string): string[] {
  return client.frames.filter((f) => f.id === id && f.type !== 'data').map((f) => f.type);
}

/** A later round trip on the same socket: everything the earlier frames produced has arrived. */
async function roundTrip(api: EventApi, client: RawClient, id: string): Promise<void> {
  expect((await subscribe(client, '/default/clock', keyAuth(api), id)).type).toBe('subscribe_success');
}

function onPublishNamespace(onPublish: NamespaceConfig['onPublish']): NamespaceConfig[] {
  return [{ name: 'default', onPublish }];
}

describe('token validators answering something that is neither true nor an object', () => {
  const answers: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['0', 0],
    ['1', 1],
    ["'yes'", 'yes'],
    ['[]', []],
    ["{ isAuthorized: 'true' }", { isAuthorized: 'true' }],
    ['an object whose isAuthorized getter throws', Object.defineProperty({}, 'isAuthorized', { get: () => { throw new Error('boom'); } })],
  ];

  it.each(answers)('authorize() resolves to a 401 refusal for %s instead of rejecting', async (_name, answer) => {
    const validator = (() => answer) as unknown as TokenValidator;
    for (const config of [
      resolveOptions({ authorizers: { cognito: validator } }),
      resolveOptions({ authorizers: { lambda: async () => answer as boolean } }),
    ]) {
      await expect(
        authorize(config, { auth: { authorization: 'jwt' }, allowedModes: ['AWS_LAMBDA', 'AMAZON_COGNITO_USER_POOLS'], context: { kind: 'connect' }, iamBody: '{}' }),
      ).resolves.toEqual({ ok: false, status: 401, error: { errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' } });
    }
  });

  it('still accepts true and { isAuthorized: true }, ignoring a handlerContext that is not an object', async () => {
    const check = { auth: { authorization: 'jwt' }, allowedModes: ['AWS_LAMBDA' as const], context: { kind: 'connect' as const }, iamBody: '{}' };
    await expect(authorize(resolveOptions({ authorizers: { lambda: () => true } }), check)).resolves.toEqual({ ok: true, mode: 'AWS_LAMBDA', identity: { handlerContext: {} } });
    const odd = (() => ({ isAuthorized: true, handlerContext: 'text' })) as unknown as TokenValidator;
    await expect(authorize(resolveOptions({ authorizers: { lambda: odd } }), check)).resolves.toEqual({ ok: true, mode: 'AWS_LAMBDA', identity: { handlerContext: {} } });
  });

  it('connect: no unhandled rejection (a plain Node process survives) while the client sends nothing, then connection_error', async () => {
    // Jest keeps unhandled rejections from test code to itself, so this runs where they count: in a
    // plain Node process, bundled the way cli-process.spec.ts bundles the CLI.
    const { code, stdout, stderr } = await runNodeScript(CONNECT_SCRIPT);
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toEqual(['validator called', 'alive after I/O', 'connection_error 401 UnauthorizedException', 'closed 1000']);
    expect(code).toBe(0);
  });

  it('operations: subscribe_error / publish_error UnauthorizedException over WebSocket, 401 over HTTP', async () => {
    const lambda = ((token: string) => (token === 'ok' ? true : token === 'null' ? null : undefined)) as unknown as TokenValidator;
    const api = await fx.start({ authorizers: { lambda } });
    const client = await fx.ready(api);
    for (const token of ['nope', 'null']) {
      expect(await subscribe(client, '/default/a', { authorization: token })).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'UnauthorizedException' }] });
      expect(await publish(client, '/default/a', ['1'], { authorization: token })).toMatchObject({ type: 'publish_error', errors: [{ errorType: 'UnauthorizedException' }] });
      const answer = await httpPublish(api, ['1'], { authorization: token });
      expect(answer.status).toBe(401);
      expect(errorsOf(answer)).toEqual([{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }]);
    }
    expect((await subscribe(client, '/default/a', { authorization: 'ok' })).type).toBe('subscribe_success');
  });
});

describe('handler mistakes never leave a request without its one reply', () => {
  it('onPublish adding an event of its own to ctx.events: MessageProcessingError (WebSocket) and HTTP 500', async () => {
    const api = await fx.start({
      namespaces: onPublishNamespace((ctx) => {
        (ctx.events as HandlerEvent[]).push({ id: 'extra', payload: 1 });
        return ctx.events;
      }),
    });
    const client = await fx.ready(api);
    expect(await publish(client, '/default/a', ['1'], keyAuth(api))).toMatchObject({
      type: 'publish_error',
      errors: [{ errorType: 'MessageProcessingError', message: 'onPublish returned an event with an id it was not given' }],
    });
    const answer = await httpPublish(api, ['1']);
    expect(answer.status).toBe(500);
    expect(errorsOf(answer)).toEqual([{ errorType: 'MessageProcessingError', message: 'onPublish returned an event with an id it was not given' }]);
  });

  it('onPublish splicing ctx.events and returning what it removed: those events are broadcast', async () => {
    const api = await fx.start({ namespaces: onPublishNamespace((ctx) => (ctx.events as HandlerEvent[]).splice(0, 1)) });
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api), 'sub');
    const reply = await publish(client, '/default/a', ['"first"', '"second"'], keyAuth(api));
    expect(reply).toMatchObject({ type: 'publish_success', failed: [] });
    expect((reply['successful'] as unknown[]).length).toBe(2);
    expect(client.frames.filter((f) => f.type === 'data').map((f) => f['event'])).toEqual(['"first"']);
  });

  it('onPublish gets copies of the events: one changed in place is broadcast changed, and the next publish starts from the original', async () => {
    const seen: unknown[] = [];
    const api = await fx.start({
      namespaces: onPublishNamespace((ctx) => {
        seen.push(ctx.events[0]?.payload);
        for (const e of ctx.events) (e as { payload: unknown }).payload = 'changed';
        return ctx.events;
      }),
    });
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api), 'sub');
    expect(await publish(client, '/default/a', ['1'], keyAuth(api))).toMatchObject({ type: 'publish_success', failed: [] });
    expect(await publish(client, '/default/a', ['1'], keyAuth(api))).toMatchObject({ type: 'publish_success', failed: [] });
    expect(client.frames.filter((f) => f.type === 'data').map((f) => f['event'])).toEqual(['"changed"', '"changed"']);
    expect(seen).toEqual([1, 1]);
  });

  it('a thrown value that String() cannot convert: publish_error / subscribe_error, HTTP 500', async () => {
    const api = await fx.start({
      namespaces: [
        {
          name: 'default',
          onPublish: () => {
            throw Object.create(null);
          },
          onSubscribe: () => {
            throw Object.create(null);
          },
        },
      ],
    });
    const client = await fx.ready(api);
    expect(await publish(client, '/default/a', ['1'], keyAuth(api))).toMatchObject({
      type: 'publish_error',
      errors: [{ errorType: 'MessageProcessingError', message: 'onPublish handler failed: a value that cannot be converted to a string' }],
    });
    expect(await subscribe(client, '/default/a', keyAuth(api))).toMatchObject({
      type: 'subscribe_error',
      errors: [{ errorType: 'SubscriptionProcessingError', message: 'onSubscribe handler failed: a value that cannot be converted to a string' }],
    });
    const answer = await httpPublish(api, ['1']);
    expect(answer.status).toBe(500);
    expect(errorsOf(answer)).toEqual([{ errorType: 'MessageProcessingError', message: 'onPublish handler failed: a value that cannot be converted to a string' }]);
  });

  it('an Error whose message getter throws, an entry whose id getter throws, an error String() cannot convert', async () => {
    const badError = Object.defineProperty(new Error('x'), 'message', { get: () => { throw new Error('no'); } });
    const api = await fx.start({
      namespaces: [
        {
          name: 'default',
          onPublish: (ctx) => {
            const path = ctx.info.channel.path;
            if (path === '/default/error') throw badError;
            if (path === '/default/getter') return [Object.defineProperty({ payload: 1 }, 'id', { get: () => { throw new Error('no'); } }) as HandlerEvent];
            return ctx.events.map((e) => ({ ...e, error: Object.create(null) as string }));
          },
        },
      ],
    });
    const client = await fx.ready(api);
    expect(await publish(client, '/default/error', ['1'], keyAuth(api))).toMatchObject({
      type: 'publish_error',
      errors: [{ errorType: 'MessageProcessingError', message: 'onPublish handler failed: a value that cannot be converted to a string' }],
    });
    expect(await publish(client, '/default/getter', ['1'], keyAuth(api))).toMatchObject({
      type: 'publish_error',
      errors: [{ errorType: 'MessageProcessingError', message: expect.stringMatching(/^onPublish returned an entry that could not be read/) }],
    });
    const reply = await publish(client, '/default/marked', ['1'], keyAuth(api));
    expect(reply).toMatchObject({ type: 'publish_success', successful: [], failed: [{ index: 0, code: 'MessageProcessingError', message: 'a value that cannot be converted to a string' }] });
  });

  it('an exception escaping the publish pipeline still answers publish_error (exactly once), and the socket keeps working', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    jest.spyOn(publishPipeline, 'runPublish').mockRejectedValueOnce(new Error('emulator bug'));
    expect(await publish(client, '/default/a', ['1'], keyAuth(api), 'p-escape')).toMatchObject({
      type: 'publish_error',
      id: 'p-escape',
      errors: [{ errorType: 'InternalFailureException', message: 'The emulator failed to process the request' }],
    });
    await roundTrip(api, client, 'clock');
    expect(repliesFor(client, 'p-escape')).toEqual(['publish_error']);
    expect((await publish(client, '/default/a', ['1'], keyAuth(api))).type).toBe('publish_success');
  });

  it('an exception escaping the subscribe pipeline still answers subscribe_error (exactly once)', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    jest.spyOn(handlers, 'runOnSubscribe').mockRejectedValueOnce(new Error('emulator bug'));
    expect(await subscribe(client, '/default/a', keyAuth(api), 's-escape')).toMatchObject({
      type: 'subscribe_error',
      id: 's-escape',
      errors: [{ errorType: 'InternalFailureException', message: 'The emulator failed to process the request' }],
    });
    await roundTrip(api, client, 'clock');
    expect(repliesFor(client, 's-escape')).toEqual(['subscribe_error']);
    expect(api.stats().subscriptions).toBe(1);
  });
});

describe('CORS preflight', () => {
  it('allows every header the SDK sends for an IAM HTTP publish from a browser', async () => {
    const api = await fx.start();
    const signed = await firstValueFrom(
      from(
        iamAuth({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret', sessionToken: 'token' } })({
          kind: 'http-publish',
          host: api.host,
          httpUrl: api.httpEndpoint,
          channel: '/default/a',
          body: '{}',
        }) as ObservableInput<Authorization>,
      ),
    );
    // `host` is set by the browser itself, never listed in a preflight.
    const requested = [...Object.keys(signed).map((k) => k.toLowerCase()).filter((k) => k !== 'host'), 'content-type', 'x-amz-content-sha256'];
    expect(requested).toEqual(expect.arrayContaining(['content-encoding', 'accept', 'authorization', 'x-amz-date', 'x-amz-security-token']));
    const answer = await http(api, 'OPTIONS', '', { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': requested.join(',') });
    expect(answer.status).toBe(204);
    const allowed = String(answer.headers['access-control-allow-headers']).split(',').map((h) => h.trim().toLowerCase());
    expect(requested.filter((h) => !allowed.includes(h))).toEqual([]);
  });

  it('echoes other requested header names, ignores values that are not header names, and varies on the request headers', async () => {
    const api = await fx.start();
    const answer = await http(api, 'OPTIONS', '', {
      origin: 'http://localhost:3000',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'X-Custom-Trace, bad header, x-api-key,,',
    });
    expect(answer.status).toBe(204);
    const allowed = String(answer.headers['access-control-allow-headers']).split(',').map((h) => h.trim());
    expect(allowed).toEqual(expect.arrayContaining(['x-custom-trace', 'x-api-key', 'content-type', 'content-encoding', 'accept', 'x-amz-content-sha256']));
    expect(allowed).not.toContain('bad header');
    expect(allowed).not.toContain('');
    expect(String(answer.headers['vary']).toLowerCase()).toContain('access-control-request-headers');
  });
});

describe('strictHost', () => {
  const creds = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

  async function signed(kind: 'subscribe' | 'publish', host: string, body: string): Promise<Authorization> {
    const sign = iamAuth({ region: 'eu-west-1', credentials: creds });
    return firstValueFrom(from(sign({ kind, host, httpUrl: `https://${host}/event`, channel: '/default/a', body }) as ObservableInput<Authorization>));
  }

  it('refuses per-operation IAM signatures made for another host, accepts those for api.host', async () => {
    const api = await fx.start({ strictHost: true, authorizers: { iam: createIamVerifier({ credentials: [creds] }) } });
    const client = await fx.ready(api);
    const refusal = { errorType: 'UnauthorizedException', message: expect.stringMatching(/^You are not authorized to make this call\./) };
    expect(await subscribe(client, '/default/a', await signed('subscribe', 'other.example', JSON.stringify({ channel: '/default/a' })))).toMatchObject({
      type: 'subscribe_error',
      errors: [refusal],
    });
    expect(await publish(client, '/default/a', ['1'], await signed('publish', 'other.example', JSON.stringify({ channel: '/default/a', events: ['1'] })))).toMatchObject({
      type: 'publish_error',
      errors: [refusal],
    });
    expect((await subscribe(client, '/default/a', await signed('subscribe', api.host, JSON.stringify({ channel: '/default/a' })))).type).toBe('subscribe_success');
    expect((await publish(client, '/default/a', ['1'], await signed('publish', api.host, JSON.stringify({ channel: '/default/a', events: ['1'] })))).type).toBe('publish_success');
  });

  it('refuses API-key operations whose auth object names another host (any key case); one without host is checked as before', async () => {
    const api = await fx.start({ strictHost: true });
    const client = await fx.ready(api);
    expect((await subscribe(client, '/default/a', { Host: 'other.example', 'x-api-key': api.apiKey })).type).toBe('subscribe_error');
    expect((await publish(client, '/default/a', ['1'], { host: '', 'x-api-key': api.apiKey })).type).toBe('publish_error');
    expect((await subscribe(client, '/default/a', { 'x-api-key': api.apiKey })).type).toBe('subscribe_success');
    expect((await publish(client, '/default/a', ['1'], keyAuth(api))).type).toBe('publish_success');
  });

  it('refuses an HTTP publish whose Host header is not api.host with 401', async () => {
    const api = await fx.start({ strictHost: true });
    const wrong = await httpPublish(api, ['1'], { 'x-api-key': api.apiKey, host: 'other.example' });
    expect(wrong.status).toBe(401);
    expect(errorsOf(wrong)).toEqual([{ errorType: 'UnauthorizedException', message: expect.stringMatching(/^You are not authorized to make this call\./) }]);
    expect(wrong.body).not.toContain(api.apiKey);
    expect((await httpPublish(api, ['1'])).status).toBe(200);
  });

  it('without strictHost, another host is accepted everywhere (unchanged)', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    expect((await subscribe(client, '/default/a', { host: 'other.example', 'x-api-key': api.apiKey })).type).toBe('subscribe_success');
    expect((await httpPublish(api, ['1'], { 'x-api-key': api.apiKey, host: 'other.example' })).status).toBe(200);
  });
});

describe('onPublish returning null', () => {
  it.each([
    ['null', () => null],
    ['a Promise of null', async () => null],
  ])('%s broadcasts nothing and reports every event successful, like dropped events', async (_name, onPublish) => {
    const api = await fx.start({ namespaces: onPublishNamespace(onPublish) });
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api), 'sub');
    const reply = await publish(client, '/default/a', ['1', '2'], keyAuth(api));
    expect(reply).toMatchObject({ type: 'publish_success', successful: [{ index: 0 }, { index: 1 }], failed: [] });
    const answer = await httpPublish(api, ['3']);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ successful: [{ index: 0 }], failed: [] });
    await expect(api.publish('/default/a', [4])).resolves.toBeUndefined();
    await roundTrip(api, client, 'clock');
    expect(client.frames.filter((f) => f.type === 'data')).toEqual([]);
    expect(api.stats().eventsPublished).toBe(0);
  });

  it('undefined (a handler that forgot to return) is still reported as a handler bug', async () => {
    const api = await fx.start({ namespaces: onPublishNamespace((() => undefined) as unknown as NamespaceConfig['onPublish']) });
    const client = await fx.ready(api);
    expect(await publish(client, '/default/a', ['1'], keyAuth(api))).toMatchObject({
      type: 'publish_error',
      errors: [{ errorType: 'MessageProcessingError', message: 'onPublish must return an array of events or null' }],
    });
  });
});

it('connect: a validator answering null refuses the connection with connection_error', async () => {
  const api = await fx.start({ authorizers: { lambda: (() => null) as unknown as TokenValidator } });
  const client = await connectRaw(api.realtimeEndpoint, { protocols: headerSubprotocols({ host: api.host, authorization: 'token' }) });
  client.send({ type: 'connection_init' });
  expect((await client.nextOf('connection_error')).errors).toEqual([{ errorType: 'UnauthorizedException', errorCode: 401, message: 'You are not authorized to make this call.' }]);
  await client.closed;
});

describe('fourth review', () => {
  it.each([
    ['twice with an error', (events: readonly HandlerEvent[]) => [{ ...events[0]!, error: 'a' }, { ...events[0]!, error: 'b' }]],
    ['once as is and once with an error', (events: readonly HandlerEvent[]) => [events[0]!, { ...events[0]!, error: 'no' }]],
    ['twice as is', (events: readonly HandlerEvent[]) => [events[0]!, events[0]!]],
  ])('onPublish returning an event %s is a MessageProcessingError: nothing broadcast, no event with two outcomes', async (_what, handler) => {
    const api = await fx.start({ namespaces: [{ name: 'default', onPublish: (ctx) => handler(ctx.events) }] });
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api), 'sub');
    expect(await publish(client, '/default/a', ['1'], keyAuth(api))).toMatchObject({
      type: 'publish_error',
      errors: [{ errorType: 'MessageProcessingError', message: expect.stringContaining('the same event more than once') }],
    });
    expect(client.frames.filter((f) => f.type === 'data')).toEqual([]);
  });

  it('api.host is written as a client writes it (LOCALHOST → localhost), so strictHost accepts the SDK', async () => {
    const api = await fx.start({ host: 'LOCALHOST', strictHost: true });
    expect(api.host).toMatch(/^localhost:\d+$/);
    const client = createEventsClient({ ...api.clientConfig, lingerMs: 0 });
    try {
      expect(await firstValueFrom(client.publish('/default/a', [1]))).toEqual({ successful: [0], failed: [] });
    } finally {
      client.close();
    }
  });
});

describe('fifth review', () => {
  it.each([
    ['a BigInt', 1n],
    ['a cycle', (() => {
      const cycle: { self?: unknown } = {};
      cycle.self = cycle;
      return cycle;
    })()],
  ])('api.publish refuses %s with ValidationError INVALID_ARGUMENT, not a TypeError', async (_what, value) => {
    const api = await fx.start();
    await expect(api.publish('/default/a', [value])).rejects.toMatchObject({ name: 'ValidationError', reason: 'INVALID_ARGUMENT', index: 0 });
  });

  it('reorderEvents(n) first releases what an earlier call still holds: 0 turns the fault off', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    await subscribe(client, '/default/a', keyAuth(api), 'sub');
    const data = (): unknown[] => client.frames.filter((f) => f.type === 'data').map((f) => f['event']);
    api.faults.reorderEvents(3);
    await api.publish('/default/a', [1, 2]); // held, one short of 3
    api.faults.reorderEvents(0); // released now, reversed
    await api.publish('/default/a', [3]);
    await subscribe(client, '/default/b', keyAuth(api), 'clock'); // a later reply: the data frames are in
    expect(data()).toEqual(['2', '1', '3']);
  });
});
