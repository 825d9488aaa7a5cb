/**
 * Every authorization mode end to end: the real client against the real emulator on 127.0.0.1.
 * Each mode connects, subscribes, receives a WS publish and publishes over HTTP; wrong credentials
 * end the handshake for good (no retry loop); an expired token or expired temporary credentials
 * are refreshed once per operation and on reconnect; per-operation auth overrides the connection's;
 * the API's and the namespaces' mode lists are enforced; async providers work everywhere.
 */
import { filter, firstValueFrom, lastValueFrom, map, of, take, timer, toArray, type Observable } from 'rxjs';
import {
  ServerError,
  UnauthorizedError,
  apiKeyAuth,
  cognitoUserPoolsAuth,
  createEventsClient,
  lambdaAuth,
  oidcAuth,
  type AuthProvider,
  type ConnectionState,
  type EventsClient,
  type EventsClientConfig,
} from '../../src';
import { iamAuth, type IamCredentials } from '../../src/iam';
import { createIamVerifier, startEventApi, type AuthMode, type EventApi, type EventApiOptions, type HandlerContext, type NamespaceConfig } from '../../src/testing';
import { publishHttp, remember } from '../helpers/http-publish';

const REGION = 'eu-west-1';
const LAMBDA_TOKEN = 'lambda-e2e-token';
const COGNITO_JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjb2duaXRvLXVzZXIifQ.Y29nbml0by1zaWc';
const OIDC_JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvaWRjLXVzZXIifQ.b2lkYy1zaWc';
const STATIC_CREDS: IamCredentials = { accessKeyId: 'AKIDSTATICE2E', secretAccessKey: 'static/secret+E2E' };
const TEMP_CREDS: IamCredentials = { accessKeyId: 'ASIATEMPE2E', secretAccessKey: 'temp/secret+E2E', sessionToken: 'temp-session-token-e2e' };

const AUTHORIZERS: NonNullable<EventApiOptions['authorizers']> = {
  lambda: (token) => (token === LAMBDA_TOKEN ? { isAuthorized: true, handlerContext: { role: 'lambda' } } : false),
  cognito: (token) => (token === COGNITO_JWT ? { isAuthorized: true, handlerContext: { sub: 'cognito-user' } } : false),
  oidc: (token) => token === OIDC_JWT,
  iam: createIamVerifier({ credentials: [STATIC_CREDS, TEMP_CREDS], region: REGION }),
};

const apis: EventApi[] = [];
const clients: EventsClient[] = [];

async function start(options: EventApiOptions = {}): Promise<EventApi> {
  const api = await startEventApi({ authorizers: AUTHORIZERS, ...options });
  apis.push(api);
  return api;
}

function client(api: EventApi, auth: AuthProvider, config: Partial<EventsClientConfig> = {}): EventsClient {
  // retry with no delay at all: if a refused handshake were retried, the retry would happen at once.
  const c = remember({ ...api.clientConfig, auth, lingerMs: 0, retry: { initialDelayMs: 0, random: () => 0 }, ...config }, createEventsClient);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const a of apis.splice(0)) await a.close();
});

function record(c: EventsClient): ConnectionState[] {
  const seen: ConnectionState[] = [];
  c.connectionState$.subscribe((s) => seen.push(s));
  return seen;
}

function state(c: EventsClient, predicate: (s: ConnectionState) => boolean): Promise<ConnectionState> {
  return firstValueFrom(c.connectionState$.pipe(filter(predicate)));
}

const failure = (o: Observable<unknown>): Promise<unknown> =>
  lastValueFrom(o).then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );

/** A namespace whose handlers record the identity the emulator derived from each operation's auth. */
function recordingNamespace(name: string, identities: unknown[], modes?: readonly AuthMode[]): NamespaceConfig {
  return {
    name,
    ...(modes ? { publishAuthModes: modes, subscribeAuthModes: modes } : {}),
    onSubscribe: (ctx: HandlerContext) => void identities.push(ctx.identity),
    onPublish: (ctx: HandlerContext) => (identities.push(ctx.identity), ctx.events),
  };
}

interface ModeCase {
  readonly label: string;
  readonly mode: AuthMode;
  readonly good: (api: EventApi) => AuthProvider;
  readonly bad: () => AuthProvider;
  /** What the refused handshake reports. */
  readonly refused: { readonly name: string; readonly errorType: string };
  /** What a refused HTTP publish reports. */
  readonly httpRefused: { readonly name: string; readonly status: number; readonly errorType: string };
  /** The identity the emulator's handlers see. */
  readonly identity: unknown;
}

const UNAUTHORIZED = { name: 'UnauthorizedError', errorType: 'UnauthorizedException' };
const HTTP_UNAUTHORIZED = { name: 'UnauthorizedError', status: 401, errorType: 'UnauthorizedException' };

const MODES: readonly ModeCase[] = [
  {
    label: 'API key',
    mode: 'API_KEY',
    good: (api) => apiKeyAuth(api.apiKey),
    bad: () => apiKeyAuth('da2-wrongwrongwrongwrongwrongwr'),
    refused: UNAUTHORIZED,
    httpRefused: HTTP_UNAUTHORIZED,
    identity: null,
  },
  {
    label: 'Lambda',
    mode: 'AWS_LAMBDA',
    good: () => lambdaAuth(() => LAMBDA_TOKEN),
    bad: () => lambdaAuth('not-the-lambda-token'),
    refused: UNAUTHORIZED,
    httpRefused: HTTP_UNAUTHORIZED,
    identity: { handlerContext: { role: 'lambda' } },
  },
  {
    label: 'Cognito user pools',
    mode: 'AMAZON_COGNITO_USER_POOLS',
    good: () => cognitoUserPoolsAuth(() => COGNITO_JWT),
    bad: () => cognitoUserPoolsAuth('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvdGhlciJ9.d3Jvbmc'),
    refused: UNAUTHORIZED,
    httpRefused: HTTP_UNAUTHORIZED,
    identity: { sub: 'cognito-user', claims: { sub: 'cognito-user' } },
  },
  {
    label: 'OIDC',
    mode: 'OPENID_CONNECT',
    // The service also accepts a `Bearer ` prefix.
    good: () => oidcAuth(() => `Bearer ${OIDC_JWT}`),
    bad: () => oidcAuth(`${OIDC_JWT}x`),
    refused: UNAUTHORIZED,
    httpRefused: HTTP_UNAUTHORIZED,
    identity: { claims: {} },
  },
  {
    label: 'IAM with static credentials',
    mode: 'AWS_IAM',
    good: () => iamAuth({ region: REGION, credentials: STATIC_CREDS }),
    // A signature mismatch is a BadRequestException (protocol reference §4.3), not an auth failure.
    bad: () => iamAuth({ region: REGION, credentials: { ...STATIC_CREDS, secretAccessKey: 'wrong/secret' } }),
    refused: { name: 'ServerError', errorType: 'BadRequestException' },
    httpRefused: { name: 'ServerError', status: 403, errorType: 'BadRequestException' },
    identity: { accessKeyId: STATIC_CREDS.accessKeyId },
  },
  {
    label: 'IAM with temporary credentials',
    mode: 'AWS_IAM',
    // Like an AWS SDK credential provider: async, evaluated for every request.
    good: () => iamAuth({ region: REGION, credentials: async () => TEMP_CREDS }),
    bad: () => iamAuth({ region: REGION, credentials: async () => ({ ...TEMP_CREDS, sessionToken: 'expired-session-token' }) }),
    refused: UNAUTHORIZED,
    httpRefused: HTTP_UNAUTHORIZED,
    identity: { accessKeyId: TEMP_CREDS.accessKeyId },
  },
];

describe.each(MODES)('$label end to end', (m) => {
  // Only the mode under test may connect, publish or subscribe: success proves that mode works.
  const only = (identities: unknown[]): EventApiOptions => ({
    connectionAuthModes: [m.mode],
    defaultPublishAuthModes: [m.mode],
    defaultSubscribeAuthModes: [m.mode],
    namespaces: [recordingNamespace('default', identities)],
  });

  it('connects, subscribes, receives a WebSocket publish and publishes over HTTP', async () => {
    const identities: unknown[] = [];
    const api = await start(only(identities));
    const c = client(api, m.good(api));
    await c.connect();
    const received = firstValueFrom(c.subscribe<{ via: string }>('/default/room').pipe(take(2), toArray()));
    await firstValueFrom(c.subscribed$);
    const ws = await firstValueFrom(c.publish('/default/room', [{ via: 'ws' }]));
    const http = await firstValueFrom(publishHttp(c, '/default/room', [{ via: 'http' }]));
    expect(ws).toEqual({ successful: [0], failed: [] });
    expect(http).toEqual({ successful: [0], failed: [] });
    expect(await received).toEqual([{ via: 'ws' }, { via: 'http' }]);
    // subscribe, WS publish, HTTP publish: each authorized in this mode.
    expect(identities).toEqual([m.identity, m.identity, m.identity]);
    expect(api.stats().connectionsOpened).toBe(1);
  });

  it('with wrong credentials: the handshake ends in a terminal closed state, subscribers get the error, nothing retries', async () => {
    const api = await start(only([]));
    const c = client(api, m.bad());
    const states = record(c);
    const subscribeError = failure(c.subscribe('/default/room'));
    const publishError = failure(c.publish('/default/room', [1]));
    const connectError = c.connect().then(
      () => 'connected',
      (e: unknown) => e,
    );
    const closed = (await state(c, (s) => s.status === 'closed')) as Extract<ConnectionState, { status: 'closed' }>;

    expect(closed.error).toMatchObject({ name: m.refused.name, operation: 'connect', errors: [{ errorType: m.refused.errorType }] });
    expect(closed.error).toBeInstanceOf(m.refused.name === 'UnauthorizedError' ? UnauthorizedError : ServerError);
    expect(await subscribeError).toBe(closed.error);
    expect(await publishError).toBe(closed.error);
    expect(await connectError).toBe(closed.error);

    // Barrier: a good client's whole handshake. A retry of the refused one (delay 0) would have
    // been opened before it.
    await client(api, m.good(api)).connect();
    expect(api.stats().connectionsOpened).toBe(2);
    expect(states.map((s) => s.status)).toEqual(['idle', 'connecting', 'closed']);

    // HTTP publish needs no socket; the same credentials are refused there too (after one fresh try).
    const httpError = await failure(publishHttp(c, '/default/room', [1]));
    expect(httpError).toMatchObject({ name: m.httpRefused.name, operation: 'http-publish', status: m.httpRefused.status, errors: [{ errorType: m.httpRefused.errorType }] });
    expect(api.stats().httpPublishes).toBe(m.httpRefused.name === 'UnauthorizedError' ? 2 : 1);
  });
});

describe('IAM: unknown access key', () => {
  it('is refused at the handshake with UnauthorizedError, terminally', async () => {
    const api = await start({ connectionAuthModes: ['AWS_IAM'] });
    const c = client(api, iamAuth({ region: REGION, credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'whatever' } }));
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(await firstValueFrom(c.connectionState$)).toEqual({ status: 'closed', error });
    expect(api.stats().connectionsOpened).toBe(1);
  });
});

// -------------------------------------------------------------------------------------------------

/**
 * Credentials that expire: the emulator accepts only generation `current`; the client-side
 * "library" hands out `handed()` — after `expire()` once more the stale generation (as a library
 * whose clock is slightly behind would), then the fresh one; after `refresh()` the fresh one at once.
 */
class Rotation {
  current = 1;
  private staleOnce = false;
  readonly calls: string[] = [];
  handed(kind: string): number {
    const g = this.staleOnce ? this.current - 1 : this.current;
    this.staleOnce = false;
    this.calls.push(`${kind}:v${g}`);
    return g;
  }
  expire(): void {
    this.current++;
    this.staleOnce = true;
  }
  refresh(): void {
    this.current++;
  }
}

interface RotatingCase {
  readonly label: string;
  readonly setup: (rotation: Rotation) => { options: EventApiOptions; auth: AuthProvider };
}

const tokenCase = (label: string, mode: 'lambda' | 'cognito' | 'oidc', make: (getter: (r: { kind: string }) => Promise<string>) => AuthProvider): RotatingCase => ({
  label,
  setup: (rotation) => ({
    options: { authorizers: { [mode]: (token: string) => token === `${mode}-token-v${rotation.current}` } },
    // An async getter, as token libraries have.
    auth: make(async ({ kind }) => `${mode}-token-v${rotation.handed(kind)}`),
  }),
});

const tempCreds = (g: number): IamCredentials => ({ accessKeyId: `ASIAROTATION${g}`, secretAccessKey: `rotation/secret/${g}`, sessionToken: `rotation-session-${g}` });

const ROTATING: readonly RotatingCase[] = [
  tokenCase('Lambda token', 'lambda', lambdaAuth),
  tokenCase('Cognito JWT', 'cognito', cognitoUserPoolsAuth),
  tokenCase('OIDC JWT', 'oidc', oidcAuth),
  {
    label: 'IAM temporary credentials',
    setup: (rotation) => {
      let kind = '';
      const signer = iamAuth({ region: REGION, credentials: async () => tempCreds(rotation.handed(kind)) });
      return {
        // The emulator knows only the current credentials; older ones are unknown (expired) keys.
        options: { authorizers: { iam: (headers, body, ctx) => createIamVerifier({ credentials: [tempCreds(rotation.current)] })(headers, body, ctx) } },
        auth: (request) => {
          kind = request.kind;
          return signer(request);
        },
      };
    },
  },
];

describe.each(ROTATING)('$label expiring mid-connection', ({ setup }) => {
  it('each operation after the expiry is refused once, retried with fresh auth and succeeds, on the same socket', async () => {
    const rotation = new Rotation();
    const { options, auth } = setup(rotation);
    const api = await start({ ...options, apiKeys: [] });
    const c = client(api, auth);
    const states = record(c);
    await c.connect();
    const received = firstValueFrom(c.subscribe<number>('/default/a').pipe(take(2), toArray()));
    await firstValueFrom(c.subscribed$);

    rotation.expire(); // v1 → v2
    const second = firstValueFrom(c.subscribed$);
    c.subscribe('/default/b').subscribe();
    expect(await second).toEqual({ channel: '/default/b', resubscribed: false });

    rotation.expire(); // v2 → v3
    expect((await firstValueFrom(c.publish('/default/a', [1]))).successful).toEqual([0]);

    rotation.expire(); // v3 → v4
    expect((await firstValueFrom(publishHttp(c, '/default/a', [2]))).successful).toEqual([0]);

    expect(await received).toEqual([1, 2]);
    expect(rotation.calls).toEqual([
      'connect:v1',
      'subscribe:v1',
      'subscribe:v1',
      'subscribe:v2',
      'publish:v2',
      'publish:v3',
      'http-publish:v3',
      'http-publish:v4',
    ]);
    // An operation refused as unauthorized does not touch the connection.
    expect(api.stats().connectionsOpened).toBe(1);
    expect(states.map((s) => s.status)).toEqual(['idle', 'connecting', 'connected']);
    const replies = api.stats().sent;
    expect([replies['subscribe_error'], replies['publish_error']]).toEqual([1, 1]);
  });

  it('the reconnection after a drop authorizes the handshake and the resubscription afresh', async () => {
    const rotation = new Rotation();
    const { options, auth } = setup(rotation);
    const api = await start({ ...options, apiKeys: [] });
    const c = client(api, auth);
    const received = firstValueFrom(c.subscribe<string>('/default/live').pipe(take(1)));
    const both = lastValueFrom(c.subscribed$.pipe(take(2), toArray()));
    await firstValueFrom(c.subscribed$);

    // The library refreshed (v2) and the server no longer accepts v1; then the socket drops.
    rotation.refresh();
    api.faults.dropConnections({ code: 1001 });
    expect((await both).map((e) => e.resubscribed)).toEqual([false, true]);
    await firstValueFrom(c.publish('/default/live', ['after']));
    expect(await received).toBe('after');
    expect(rotation.calls).toEqual(['connect:v1', 'subscribe:v1', 'connect:v2', 'subscribe:v2', 'publish:v2']);
    expect(api.stats().connectionsOpened).toBe(2);
  });
});

// -------------------------------------------------------------------------------------------------

describe('per-operation auth override on an API-key connection', () => {
  const overrides = [
    { label: 'Lambda', mode: 'AWS_LAMBDA' as const, auth: () => lambdaAuth(async () => LAMBDA_TOKEN), identity: { handlerContext: { role: 'lambda' } } },
    { label: 'IAM', mode: 'AWS_IAM' as const, auth: () => iamAuth({ region: REGION, credentials: async () => TEMP_CREDS }), identity: { accessKeyId: TEMP_CREDS.accessKeyId } },
  ];

  it.each(overrides)('$label: subscribe, publish and publishHttp with { auth } work on a namespace that only allows $mode, also after a resubscribe', async (o) => {
    const identities: unknown[] = [];
    const api = await start({ namespaces: ['default', recordingNamespace('locked', identities, [o.mode])] });
    const c = client(api, apiKeyAuth(api.apiKey));
    const override = o.auth();
    const received = firstValueFrom(c.subscribe<string>('/locked/room', { auth: override }).pipe(take(3), toArray()));
    await firstValueFrom(c.subscribed$);
    expect((await firstValueFrom(c.publish('/locked/room', ['ws'], { auth: override }))).successful).toEqual([0]);
    expect((await firstValueFrom(publishHttp(c, '/locked/room', ['http'], { auth: override }))).successful).toEqual([0]);

    // The wire subscription keeps its own auth for the resubscription after a reconnect.
    const resubscribed = firstValueFrom(c.subscribed$);
    api.faults.dropConnections({ code: 1001 });
    expect(await resubscribed).toEqual({ channel: '/locked/room', resubscribed: true });
    expect((await firstValueFrom(c.publish('/locked/room', ['again'], { auth: override }))).successful).toEqual([0]);

    expect(await received).toEqual(['ws', 'http', 'again']);
    // subscribe, publish, HTTP publish, resubscribe, publish: all in the override's mode.
    expect(identities).toEqual(Array(5).fill(o.identity));
    // The connection itself was authorized with the API key (only that mode may not touch the namespace).
    expect(api.stats().connectionsOpened).toBe(2);
  });

  it.each(overrides)('$label-only namespace without the override: every operation gets UnauthorizedError, the connection stays up', async (o) => {
    const api = await start({ namespaces: ['default', { name: 'locked', publishAuthModes: [o.mode], subscribeAuthModes: [o.mode] }] });
    const c = client(api, apiKeyAuth(api.apiKey));
    await c.connect();
    const subscribeError = await failure(c.subscribe('/locked/room'));
    const publishError = await failure(c.publish('/locked/room', [1]));
    const httpError = await failure(publishHttp(c, '/locked/room', [1]));
    expect(subscribeError).toBeInstanceOf(UnauthorizedError);
    expect(subscribeError).toMatchObject({ operation: 'subscribe', errors: [{ errorType: 'UnauthorizedException', message: expect.stringContaining('auth mode API_KEY is not allowed here') }] });
    expect(publishError).toBeInstanceOf(UnauthorizedError);
    expect(publishError).toMatchObject({ operation: 'publish' });
    expect(httpError).toBeInstanceOf(UnauthorizedError);
    expect(httpError).toMatchObject({ operation: 'http-publish', status: 403 });
    // The client tried each once more with fresh auth before giving up.
    expect(api.stats().received['subscribe']).toBe(2);
    expect(api.stats().received['publish']).toBe(2);
    expect(api.stats().httpPublishes).toBe(2);
    expect(await firstValueFrom(c.connectionState$)).toMatchObject({ status: 'connected' });
    expect(api.stats().connectionsOpened).toBe(1);
    // The same socket still serves the modes the namespace allows.
    const ok = firstValueFrom(c.subscribed$);
    c.subscribe('/default/room').subscribe();
    await ok;
  });

  it('subscribeMessages accepts the override too', async () => {
    const api = await start({ namespaces: ['default', { name: 'locked', publishAuthModes: ['AWS_IAM'], subscribeAuthModes: ['AWS_IAM'] }] });
    const c = client(api, apiKeyAuth(api.apiKey));
    const auth = iamAuth({ region: REGION, credentials: TEMP_CREDS });
    const message = firstValueFrom(c.subscribeMessages('/locked/raw', { auth }));
    await firstValueFrom(c.subscribed$);
    await firstValueFrom(publishHttp(c, '/locked/raw', [{ raw: true }], { auth }));
    expect(await message).toEqual({ type: 'data', channel: '/locked/raw', event: '{"raw":true}' });
    expect(await failure(c.subscribeMessages('/locked/other'))).toBeInstanceOf(UnauthorizedError);
  });

  it('a wrong override credential fails that operation only', async () => {
    const api = await start({ namespaces: ['default', { name: 'locked', publishAuthModes: ['AWS_LAMBDA'], subscribeAuthModes: ['AWS_LAMBDA'] }] });
    const c = client(api, apiKeyAuth(api.apiKey));
    await c.connect();
    const wrong = lambdaAuth('wrong-lambda-token');
    expect(await failure(c.subscribe('/locked/x', { auth: wrong }))).toBeInstanceOf(UnauthorizedError);
    expect(await failure(c.publish('/locked/x', [1], { auth: wrong }))).toBeInstanceOf(UnauthorizedError);
    expect(await failure(publishHttp(c, '/locked/x', [1], { auth: wrong }))).toMatchObject({ name: 'UnauthorizedError', status: 401 });
    expect((await firstValueFrom(c.publish('/default/x', [1]))).successful).toEqual([0]);
    expect(api.stats().connectionsOpened).toBe(1);
  });
});

// -------------------------------------------------------------------------------------------------

describe('mode requirements of the API and its namespaces', () => {
  it('connectionAuthModes: only API_KEY may connect; a Lambda-authorized client is refused at the handshake', async () => {
    const api = await start({ connectionAuthModes: ['API_KEY'] });
    const lambda = client(api, lambdaAuth(LAMBDA_TOKEN));
    const states = record(lambda);
    const error = await lambda.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ operation: 'connect', errors: [{ errorType: 'UnauthorizedException' }] });

    // An API-key connection is accepted, and may still use Lambda for its operations (the
    // namespace's publish/subscribe modes default to every configured mode).
    const keyed = client(api, apiKeyAuth(api.apiKey));
    await keyed.connect();
    const got = firstValueFrom(keyed.subscribe('/default/mixed', { auth: lambdaAuth(LAMBDA_TOKEN) }));
    await firstValueFrom(keyed.subscribed$);
    await firstValueFrom(keyed.publish('/default/mixed', ['hi'], { auth: lambdaAuth(LAMBDA_TOKEN) }));
    expect(await got).toBe('hi');
    expect(api.stats().connectionsOpened).toBe(2);
    expect(states.map((s) => s.status)).toEqual(['idle', 'connecting', 'closed']);
  });

  it('connectionAuthModes: only AWS_LAMBDA may connect; an API-key client is refused', async () => {
    const api = await start({ connectionAuthModes: ['AWS_LAMBDA'] });
    const error = await client(api, apiKeyAuth(api.apiKey))
      .connect()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    await client(api, lambdaAuth(LAMBDA_TOKEN)).connect();
    expect(api.stats().connectionsOpened).toBe(2);
  });

  it('defaultPublishAuthModes/defaultSubscribeAuthModes apply unless the namespace says otherwise', async () => {
    const api = await start({
      defaultPublishAuthModes: ['AWS_LAMBDA'],
      defaultSubscribeAuthModes: ['AWS_LAMBDA'],
      namespaces: ['default', { name: 'public', publishAuthModes: ['API_KEY'], subscribeAuthModes: ['API_KEY'] }],
    });
    const c = client(api, apiKeyAuth(api.apiKey));
    expect(await failure(c.subscribe('/default/a'))).toBeInstanceOf(UnauthorizedError);
    expect(await failure(publishHttp(c, '/default/a', [1]))).toBeInstanceOf(UnauthorizedError);
    const pub = firstValueFrom(c.subscribe('/public/a'));
    await firstValueFrom(c.subscribed$);
    await firstValueFrom(c.publish('/public/a', ['open']));
    expect(await pub).toBe('open');
    // A Lambda override is what the default namespace wants; the public one then refuses it.
    expect((await firstValueFrom(c.publish('/default/a', [1], { auth: lambdaAuth(LAMBDA_TOKEN) }))).successful).toEqual([0]);
    expect(await failure(c.publish('/public/a', [1], { auth: lambdaAuth(LAMBDA_TOKEN) }))).toBeInstanceOf(UnauthorizedError);
  });
});

// -------------------------------------------------------------------------------------------------

describe('async auth providers', () => {
  const providers: ReadonlyArray<{ label: string; auth: () => AuthProvider }> = [
    { label: 'lambdaAuth with a Promise getter', auth: () => lambdaAuth(() => Promise.resolve(LAMBDA_TOKEN)) },
    { label: 'lambdaAuth with an asynchronous Observable getter', auth: () => lambdaAuth(() => timer(1).pipe(map(() => LAMBDA_TOKEN))) },
    { label: 'cognitoUserPoolsAuth with an async getter', auth: () => cognitoUserPoolsAuth(async () => COGNITO_JWT) },
    { label: 'oidcAuth with a synchronous Observable getter', auth: () => oidcAuth(() => of(OIDC_JWT)) },
    { label: 'a custom provider returning a Promise', auth: () => async (request) => ({ host: request.host, Authorization: LAMBDA_TOKEN }) },
    { label: 'a custom provider returning an Observable', auth: () => (request) => timer(1).pipe(map(() => ({ host: request.host, Authorization: COGNITO_JWT }))) },
    { label: 'iamAuth with a credentials provider returning a Promise', auth: () => iamAuth({ region: REGION, credentials: () => Promise.resolve(STATIC_CREDS) }) },
  ];
  const NOT_API_KEY: readonly AuthMode[] = ['AWS_LAMBDA', 'AMAZON_COGNITO_USER_POOLS', 'OPENID_CONNECT', 'AWS_IAM'];

  it.each(providers)('$label: connect and every operation, as client auth and as per-operation auth', async ({ auth }) => {
    // API keys may connect, but not publish or subscribe: operations prove the provider was used.
    const api = await start({ defaultPublishAuthModes: NOT_API_KEY, defaultSubscribeAuthModes: NOT_API_KEY });
    const c = client(api, auth());
    await c.connect();
    const received = firstValueFrom(c.subscribe('/default/async').pipe(take(2), toArray()));
    await firstValueFrom(c.subscribed$);
    await firstValueFrom(c.publish('/default/async', ['ws']));
    await firstValueFrom(publishHttp(c, '/default/async', ['http']));
    expect(await received).toEqual(['ws', 'http']);

    // The same provider as a per-operation override, on a client connected with an API key.
    const keyed = client(api, apiKeyAuth(api.apiKey));
    const override = auth();
    const got = firstValueFrom(keyed.subscribe('/default/override', { auth: override }).pipe(take(2), toArray()));
    await firstValueFrom(keyed.subscribed$);
    await firstValueFrom(keyed.publish('/default/override', ['ws'], { auth: override }));
    await firstValueFrom(publishHttp(keyed, '/default/override', ['http'], { auth: override }));
    expect(await got).toEqual(['ws', 'http']);
    expect(api.stats().connectionsOpened).toBe(2);
  });
});
