/**
 * Security sweep, end to end: the real client against the real emulator, in every failure
 * scenario of every auth mode, with distinctive secrets. Every error (message, stack, String(),
 * JSON.stringify, util.inspect), every connectionState$ value, every inbound frame and protocol
 * error, JSON.stringify of the client, and everything written to the console is searched for the
 * API keys, tokens, JWTs, IAM secret keys, session tokens, access key id and SigV4 signatures
 * (the ones sent, and the right ones the server would have computed).
 */
import { inspect, format } from 'node:util';
import { filter, firstValueFrom, from, lastValueFrom, tap, type Observable } from 'rxjs';
import {
  ServerError,
  UnauthorizedError,
  ValidationError,
  apiKeyAuth,
  cognitoUserPoolsAuth,
  createEventsClient,
  lambdaAuth,
  oidcAuth,
  type AuthProvider,
  type AuthRequest,
  type ConnectionState,
  type EventsClient,
  type EventsClientConfig,
} from '../../src';
import { iamAuth, type IamCredentials } from '../../src/iam';
import { createIamVerifier, startEventApi, type EventApi } from '../../src/testing';
import { encodeHeaderSubprotocol } from '../../src/auth/header';
import { resolveAuth } from './helpers';
import { publishHttp, remember } from '../helpers/http-publish';

const REGION = 'eu-west-1';
const GOOD_KEY = 'da2-goodsweepkeygoodsweepkey00';
const BAD_KEY = 'apikey-BAD-sweep-7c1e5d'; // not da2- shaped: no reliance on scrubbing patterns
const GOOD_LAMBDA = 'lambda-GOOD-sweep-4b9a01';
const BAD_LAMBDA = 'lambda-BAD-sweep-91f2aa';
const GOOD_COGNITO = 'eyJraWQiOiJnb29kIn0.eyJzdWIiOiJnb29kLWNvZ25pdG8ifQ.R09PRC1DT0dOSVRPLVNJRw';
const BAD_COGNITO = 'eyJraWQiOiJiYWQifQ.eyJzdWIiOiJiYWQtY29nbml0byJ9.QkFELUNPR05JVE8tU0lH';
const GOOD_OIDC = 'oidc-GOOD-sweep-id-token-3e8d';
const BAD_OIDC = 'oidc-BAD-sweep-id-token-0c4f';
const CREDS: IamCredentials = { accessKeyId: 'ASIASWEEPACCESSKEY01', secretAccessKey: 'sweepSECRETkey/GOOD+0123456789abcdefghij', sessionToken: 'sweepSESSIONtoken//GOOD==abcdef0123' };
const WRONG_SECRET = 'sweepSECRETkey/WRONG+0123456789abcdefghi';
const WRONG_SESSION = 'sweepSESSIONtoken//WRONG==abcdef012';

const FORBIDDEN_BASE = [
  GOOD_KEY,
  BAD_KEY,
  GOOD_LAMBDA,
  BAD_LAMBDA,
  GOOD_COGNITO,
  BAD_COGNITO,
  GOOD_OIDC,
  BAD_OIDC,
  CREDS.accessKeyId,
  CREDS.secretAccessKey,
  CREDS.sessionToken as string,
  WRONG_SECRET,
  WRONG_SESSION,
];

let api: EventApi;
const clients: EventsClient[] = [];
/** Every rendering of everything the SDK exposed during a scenario. */
let outputs: string[] = [];
/** Signatures sent, and every AuthRequest signed with IAM (to compute the right signatures later). */
let signaturesSent: string[] = [];
let signedRequests: AuthRequest[] = [];
let signingDate: Date;
let consoleSpies: jest.SpyInstance[] = [];

beforeEach(async () => {
  outputs = [];
  headerTokens = [];
  signaturesSent = [];
  signedRequests = [];
  signingDate = new Date();
  consoleSpies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void outputs.push(`console.${method}: ${format(...args)}`)),
  );
  api = await startEventApi({
    apiKeys: [GOOD_KEY],
    namespaces: ['default', { name: 'locked', publishAuthModes: ['AWS_LAMBDA', 'AWS_IAM'], subscribeAuthModes: ['AWS_LAMBDA', 'AWS_IAM'] }],
    authorizers: {
      lambda: (t) => t === GOOD_LAMBDA,
      cognito: (t) => t === GOOD_COGNITO,
      oidc: (t) => t === GOOD_OIDC,
      iam: createIamVerifier({ credentials: [CREDS], region: REGION }),
    },
  });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await api.close();
  for (const spy of consoleSpies) spy.mockRestore();
});

/**
 * `util.inspect` (what `console.log(error)` prints in Node) shows an error's non-enumerable `cause`.
 * By design (docs/auth.md) an auth provider's own failure is kept there for debugging, and its
 * message is the provider's text, not the SDK's; the SDK's own output is inspected without it.
 */
function withoutCause(value: unknown): unknown {
  if (value instanceof Error) {
    const copy = Object.assign(Object.create(Object.getPrototypeOf(value) as object) as Error, value);
    Object.defineProperty(copy, 'stack', { value: value.stack, enumerable: false });
    Object.defineProperty(copy, 'message', { value: value.message, enumerable: false });
    return copy;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutCause(v)]));
  }
  return value;
}

function render(value: unknown, what: string): void {
  outputs.push(`${what} JSON: ${JSON.stringify(value)}`, `${what} String: ${String(value)}`, `${what} inspect: ${inspect(withoutCause(value), { depth: 10 })}`);
  if (value instanceof Error) outputs.push(`${what} message: ${value.message}`, `${what} stack: ${value.stack ?? ''}`);
  if (value instanceof ServerError) outputs.push(`${what} errors: ${JSON.stringify(value.errors)}`);
}

/** The `header-<base64url>` subprotocols of the handshakes: they encode the credentials. */
let headerTokens: string[] = [];

/** Records the handshake's encoded auth object, which must not show up anywhere either. */
function capturingConnect(provider: AuthProvider): AuthProvider {
  return (request) =>
    from(resolveAuth(provider, request)).pipe(
      tap((auth) => {
        if (request.kind === 'connect') headerTokens.push(encodeHeaderSubprotocol(auth).slice('header-'.length));
      }),
    );
}

/** A client whose every observable output is recorded. */
function client(auth: AuthProvider, config: Partial<EventsClientConfig> = {}): EventsClient {
  const c = remember({ ...api.clientConfig, auth: capturingConnect(auth), lingerMs: 0, retry: { initialDelayMs: 0, random: () => 0 }, ...config }, createEventsClient);
  clients.push(c);
  c.connectionState$.subscribe((s) => render(s, 'state'));
  c.messages$.subscribe((m) => render(m, 'frame'));
  c.protocolErrors$.subscribe((e) => render(e, 'protocol error'));
  c.broadcastErrors$.subscribe((e) => render(e, 'broadcast error'));
  return c;
}

/**
 * JSON.stringify of the client. It holds Observables whose subjects may be circular, and then plain
 * JSON.stringify throws (its message is recorded too); a cycle-tolerant replacer walks everything
 * JSON.stringify would reach, current state included.
 */
function stringifyClient(c: EventsClient): void {
  try {
    outputs.push(`client plain JSON: ${JSON.stringify(c)}`);
  } catch (e) {
    render(e, 'client JSON.stringify error');
  }
  // The client serialises through toJSON (endpoints and status); also walk its own fields, which is
  // what a logger that ignores toJSON (util.inspect-style) would see.
  const seen = new WeakSet<object>();
  const walk = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const field = (value as Record<string, unknown>)[key];
      if (typeof field !== 'function') out[key] = walk(field);
    }
    return out;
  };
  const text = JSON.stringify(c) + JSON.stringify(walk(c));
  expect(text).toContain('"status"');
  expect(text).toContain('connectionState$');
  outputs.push(`client JSON: ${text}`);
}

/** Runs an operation to its end and records its error (or result). */
async function settle(o: Observable<unknown>, what: string): Promise<unknown> {
  const error = await lastValueFrom(o).then(
    (v) => {
      render(v, `${what} result`);
      return undefined;
    },
    (e: unknown) => e,
  );
  if (error !== undefined) render(error, `${what} error`);
  return error;
}

async function settleConnect(c: EventsClient, what: string): Promise<unknown> {
  const error = await c.connect().then(
    (s) => (render(s, `${what} connected`), undefined),
    (e: unknown) => e,
  );
  if (error !== undefined) render(error, `${what} connect error`);
  return error;
}

/** An IAM provider that records the requests it signs and the signatures it produces. */
function iam(credentials: IamCredentials | (() => Promise<IamCredentials>)): AuthProvider {
  const signer = iamAuth({ region: REGION, credentials, signingDate: () => signingDate });
  return (request) => {
    signedRequests.push({ kind: request.kind, host: request.host, httpUrl: request.httpUrl, body: request.body, ...(request.channel ? { channel: request.channel } : {}) });
    return from(resolveAuth(signer, request)).pipe(
      tap((auth) => {
        const signature = /Signature=([0-9a-f]{64})/.exec((auth as Record<string, string>)['authorization'] ?? '')?.[1];
        if (signature) signaturesSent.push(signature);
      }),
    );
  };
}

/** The signatures the right credentials give for every request signed so far. */
async function rightSignatures(): Promise<string[]> {
  const right = iamAuth({ region: REGION, credentials: CREDS, signingDate: () => signingDate });
  const out: string[] = [];
  for (const request of signedRequests) {
    const auth = (await resolveAuth(right, request)) as Record<string, string>;
    out.push(/Signature=([0-9a-f]{64})/.exec(auth['authorization'] ?? '')?.[1] ?? '');
  }
  return out;
}

async function expectNoSecrets(extra: readonly string[] = []): Promise<void> {
  const forbidden = [...FORBIDDEN_BASE, ...extra, ...headerTokens, ...signaturesSent, ...(await rightSignatures())];
  for (const secret of forbidden) expect(secret.length).toBeGreaterThanOrEqual(16);
  const leaks: string[] = [];
  for (const text of outputs) for (const secret of forbidden) if (text.includes(secret)) leaks.push(`${secret} in ${text.slice(0, 300)}`);
  expect(leaks).toEqual([]);
}

/** Connect, subscribe, WS publish and HTTP publish with credentials the handshake refuses. */
async function refusedEverywhere(auth: AuthProvider, label: string): Promise<unknown> {
  const c = client(auth);
  const sub = settle(c.subscribe('/default/room'), `${label} subscribe`);
  const pub = settle(c.publish('/default/room', [{ n: 1 }]), `${label} publish`);
  const connect = await settleConnect(c, label);
  await Promise.all([sub, pub]);
  await settle(publishHttp(c, '/default/room', [{ n: 2 }]), `${label} http-publish`);
  stringifyClient(c);
  return connect;
}

it('handshakes refused in every mode leak nothing', async () => {
  const refusals = [
    await refusedEverywhere(apiKeyAuth(BAD_KEY), 'api key'),
    await refusedEverywhere(lambdaAuth(() => BAD_LAMBDA), 'lambda'),
    await refusedEverywhere(cognitoUserPoolsAuth(async () => BAD_COGNITO), 'cognito'),
    await refusedEverywhere(oidcAuth(`Bearer ${BAD_OIDC}`), 'oidc'),
    await refusedEverywhere(iam({ ...CREDS, secretAccessKey: WRONG_SECRET }), 'iam wrong secret'),
    await refusedEverywhere(iam(async () => ({ ...CREDS, sessionToken: WRONG_SESSION })), 'iam wrong session token'),
    await refusedEverywhere(iam({ accessKeyId: CREDS.accessKeyId, secretAccessKey: CREDS.secretAccessKey }), 'iam without session token'),
  ];
  // The scenarios really failed where intended.
  expect(refusals.map((e) => (e as Error).name)).toEqual([
    'UnauthorizedError',
    'UnauthorizedError',
    'UnauthorizedError',
    'UnauthorizedError',
    'ServerError',
    'UnauthorizedError',
    'UnauthorizedError',
  ]);
  // At least the handshake and one HTTP publish in each of the three IAM scenarios.
  expect(signaturesSent.length).toBeGreaterThanOrEqual(3 * 2);
  expect(outputs.filter((o) => o.startsWith('state JSON: {"status":"closed"')).length).toBe(7);
  await expectNoSecrets();
});

it('operations refused on a healthy connection (wrong or missing per-operation auth, expired credentials) leak nothing', async () => {
  const c = client(apiKeyAuth(GOOD_KEY));
  await settleConnect(c, 'api key');
  const wrongAuths: Array<[string, AuthProvider | undefined]> = [
    ['no override', undefined],
    ['wrong lambda', lambdaAuth(BAD_LAMBDA)],
    ['wrong iam secret', iam({ ...CREDS, secretAccessKey: WRONG_SECRET })],
    ['wrong session token', iam({ ...CREDS, sessionToken: WRONG_SESSION })],
  ];
  const errors: unknown[] = [];
  for (const [label, auth] of wrongAuths) {
    const options = auth ? { auth } : {};
    errors.push(await settle(c.subscribe('/locked/room', options), `${label} subscribe`));
    errors.push(await settle(c.publish('/locked/room', [1], options), `${label} publish`));
    errors.push(await settle(publishHttp(c, '/locked/room', [1], options), `${label} http-publish`));
  }
  // Good credentials, refused twice as expired (the client's one fresh retry is refused too).
  api.faults.expireCredentials(2);
  errors.push(await settle(c.publish('/default/room', [1]), 'expired publish'));
  api.faults.expireCredentials(2);
  errors.push(await settle(publishHttp(c, '/locked/room', [1], { auth: iam(CREDS) }), 'expired iam http-publish'));
  expect(errors).toHaveLength(14);
  for (const e of errors) expect(e).toBeInstanceOf(ServerError);
  expect(errors.filter((e) => e instanceof UnauthorizedError)).toHaveLength(11); // all but the 3 signature mismatches
  expect(await firstValueFrom(c.connectionState$)).toMatchObject({ status: 'connected' });
  stringifyClient(c);
  await expectNoSecrets();
});

it('auth providers that fail with a secret in their message leak nothing', async () => {
  const leakyLambda = lambdaAuth(() => Promise.reject(new Error(`refresh of ${GOOD_LAMBDA} failed`)));
  const leakyIam = iamAuth({
    region: REGION,
    credentials: () => Promise.reject(Object.assign(new Error(`bad ${CREDS.secretAccessKey} / ${CREDS.sessionToken}`), { name: 'CredentialsProviderError' })),
  });
  const leakyCustom: AuthProvider = () => {
    throw new TypeError(`cannot use ${GOOD_COGNITO}`);
  };

  // On operations of a healthy connection.
  const c = client(apiKeyAuth(GOOD_KEY));
  await settleConnect(c, 'api key');
  const errors: unknown[] = [];
  for (const [label, auth] of [
    ['lambda', leakyLambda],
    ['iam', leakyIam],
    ['custom', leakyCustom],
  ] as const) {
    errors.push(await settle(c.subscribe('/default/room', { auth }), `${label} subscribe`));
    errors.push(await settle(c.publish('/default/room', [1], { auth }), `${label} publish`));
    errors.push(await settle(publishHttp(c, '/default/room', [1], { auth }), `${label} http-publish`));
  }
  for (const e of errors) expect(e).toBeInstanceOf(ValidationError);

  // On the handshake: retried (a provider failure may be transient), then terminal.
  for (const [label, auth] of [
    ['lambda', leakyLambda],
    ['iam', leakyIam],
    ['custom', leakyCustom],
  ] as const) {
    const failing = client(auth, { retry: { initialDelayMs: 0, random: () => 0, maxAttempts: 1 } });
    const closed = firstValueFrom(failing.connectionState$.pipe(filter((s): s is Extract<ConnectionState, { status: 'closed' }> => s.status === 'closed')));
    await settle(failing.subscribe('/default/room'), `${label} connect via subscribe`);
    expect((await closed).error).toBeInstanceOf(ValidationError);
    stringifyClient(failing);
  }
  expect(outputs.some((o) => o.startsWith('state JSON: {"status":"reconnecting"'))).toBe(true);
  // Nothing reached the server with these providers.
  expect(api.stats().connectionsOpened).toBe(1);
  expect(api.stats().httpPublishes).toBe(0);
  await expectNoSecrets();
});

it('successful sessions in every mode leak nothing through states, frames or the client object', async () => {
  const providers: Array<[string, AuthProvider]> = [
    ['api key', apiKeyAuth(GOOD_KEY)],
    ['lambda', lambdaAuth(GOOD_LAMBDA)],
    ['cognito', cognitoUserPoolsAuth(GOOD_COGNITO)],
    ['oidc', oidcAuth(GOOD_OIDC)],
    ['iam', iam(async () => CREDS)],
  ];
  for (const [label, auth] of providers) {
    const c = client(auth);
    await settleConnect(c, label);
    const got = firstValueFrom(c.subscribe('/default/ok'));
    await firstValueFrom(c.subscribed$);
    await settle(c.publish('/default/ok', [{ label }]), `${label} publish`);
    render(await got, `${label} event`);
    await settle(publishHttp(c, '/default/ok', [{ label }]), `${label} http-publish`);
    stringifyClient(c);
    c.close();
  }
  expect(signaturesSent.length).toBeGreaterThanOrEqual(4);
  expect(api.stats().connectionsOpened).toBe(5);
  await expectNoSecrets();
});

it('a server that quotes the canonical request in its signature-mismatch message (as AWS does) leaks nothing either', async () => {
  await api.close();
  // The real service appends the canonical request, session token included, to the mismatch
  // message (amplify-js #14001); this verifier does the same, and echoes the authorization header.
  api = await startEventApi({
    apiKeys: [GOOD_KEY],
    authorizers: {
      iam: (headers, body) => ({
        errorType: 'BadRequestException',
        message: [
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
          "The Canonical String for this request should have been\n'POST\n/event\n",
          ...['accept', 'content-encoding', 'content-type', 'host', 'x-amz-date', 'x-amz-security-token'].map((h) => `${h}:${headers[h] ?? ''}`),
          `\n${body}'`,
          `authorization: ${headers['authorization'] ?? ''}`,
          `Authorization=${headers['authorization'] ?? ''}`,
        ].join('\n'),
      }),
    },
  });
  const refused = await refusedEverywhere(iam(CREDS), 'quoting server');
  expect(refused).toMatchObject({ name: 'ServerError', errors: [{ errorType: 'BadRequestException', message: expect.stringContaining('x-amz-security-token:[redacted]') }] });

  const c = client(apiKeyAuth(GOOD_KEY));
  await settleConnect(c, 'api key');
  expect(await settle(c.subscribe('/default/room', { auth: iam(CREDS) }), 'quoted subscribe')).toBeInstanceOf(ServerError);
  expect(await settle(c.publish('/default/room', [1], { auth: iam(CREDS) }), 'quoted publish')).toBeInstanceOf(ServerError);
  stringifyClient(c);
  await expectNoSecrets();
});
