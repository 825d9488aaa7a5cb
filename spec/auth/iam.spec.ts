import { inspect } from 'node:util';
import { firstValueFrom, from, type ObservableInput } from 'rxjs';
import { iamAuth, IamCredentialsError, type IamAuthOptions, type IamCredentials } from '../../src/iam';
import { ValidationError } from '../../src/errors';
import type { AuthRequest } from '../../src/auth/types';
import type { Authorization } from '../../src/protocol/messages';
import {
  ACCESS_KEY_ID,
  AMZ_DATE,
  CONSTANT_HEADERS,
  HOST,
  PUBLISH_BODY,
  REGION,
  SECRET,
  SESSION_TOKEN,
  SIGNING_DATE,
  SUBSCRIBE_BODY,
  connectRequest,
  publishRequest,
  resolveAuth,
  subscribeRequest,
} from './helpers';
import { referenceSign, sha256Hex } from './sigv4-reference';

const STATIC: IamCredentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET };
const TEMPORARY: IamCredentials = { ...STATIC, sessionToken: SESSION_TOKEN };
const fixedClock = (): Date => SIGNING_DATE;
const sign = (credentials: IamAuthOptions['credentials'], request: AuthRequest, extra: Partial<IamAuthOptions> = {}): Promise<Authorization> =>
  resolveAuth(iamAuth({ region: REGION, credentials, signingDate: fixedClock, ...extra }), request);

const SCOPE = `Credential=AKIDEXAMPLE/20250314/eu-west-1/appsync/aws4_request`;
const LONG_TERM_HEADERS = 'SignedHeaders=accept;content-encoding;content-type;host;x-amz-date';
const TEMPORARY_HEADERS = 'SignedHeaders=accept;content-encoding;content-type;host;x-amz-date;x-amz-security-token';

// Computed once with the library, then checked independently below (referenceSign, node:crypto).
// A change here means the canonical request changed: the service would reject the signatures.
const VECTORS = [
  {
    name: 'connect {}',
    request: connectRequest,
    credentials: STATIC,
    authorization: `AWS4-HMAC-SHA256 ${SCOPE}, ${LONG_TERM_HEADERS}, Signature=309f004e3539e3fa4607ac36a80b84ee84c36d4ebae8968224242e15cad37a45`,
  },
  {
    name: 'subscribe {"channel"}',
    request: subscribeRequest,
    credentials: STATIC,
    authorization: `AWS4-HMAC-SHA256 ${SCOPE}, ${LONG_TERM_HEADERS}, Signature=2cbdca0f90d75aa07cdc6f0e2e30f8f488003ccc827d9044155816d3bbba74d5`,
  },
  {
    name: 'publish {"channel","events"}',
    request: publishRequest,
    credentials: STATIC,
    authorization: `AWS4-HMAC-SHA256 ${SCOPE}, ${LONG_TERM_HEADERS}, Signature=97f9d66bf9b4c05a50cd9e5cec4d5e2c27efe37c3b11b9f4fa2e3f10c6edeccd`,
  },
  {
    name: 'connect {} with a session token',
    request: connectRequest,
    credentials: TEMPORARY,
    authorization: `AWS4-HMAC-SHA256 ${SCOPE}, ${TEMPORARY_HEADERS}, Signature=0373fc3b8d58ee2e479717d729c2747a175a831d5d670de8dee9e5e24b66a004`,
  },
  {
    name: 'subscribe with a session token',
    request: subscribeRequest,
    credentials: TEMPORARY,
    authorization: `AWS4-HMAC-SHA256 ${SCOPE}, ${TEMPORARY_HEADERS}, Signature=db98508f8097da6dd4fc8d1019635b4746072a4616012f8db0ec06207b4ad58e`,
  },
  {
    name: 'publish with a session token',
    request: publishRequest,
    credentials: TEMPORARY,
    authorization: `AWS4-HMAC-SHA256 ${SCOPE}, ${TEMPORARY_HEADERS}, Signature=7be7d084a95403f18b8b6266cbe7a1dd84e0fac9ff2924184b8abb482c688986`,
  },
] as const;

function expectedObject(authorization: string, withToken: boolean, host = HOST): Record<string, string> {
  return {
    accept: 'application/json, text/javascript',
    'content-encoding': 'amz-1.0',
    'content-type': 'application/json; charset=UTF-8',
    host,
    'x-amz-date': AMZ_DATE,
    ...(withToken ? { 'x-amz-security-token': SESSION_TOKEN } : {}),
    authorization,
  };
}

describe('iamAuth: fixed vectors', () => {
  it.each(VECTORS)('signs $name exactly', async ({ request, credentials, authorization }) => {
    const auth = await sign(credentials, request());
    expect(auth).toEqual(expectedObject(authorization, credentials.sessionToken !== undefined));
    // Deterministic key order, so the `header-` subprotocol is stable too.
    expect(Object.keys(auth)).toEqual(Object.keys(expectedObject(authorization, credentials.sessionToken !== undefined)));
  });

  it.each(VECTORS)('matches an independent node:crypto SigV4 computation for $name', ({ request, credentials, authorization }) => {
    const r = request();
    const headers: Array<readonly [string, string]> = [...CONSTANT_HEADERS, ['host', r.host], ['x-amz-date', AMZ_DATE]];
    if (credentials.sessionToken !== undefined) headers.push(['x-amz-security-token', credentials.sessionToken]);
    const ref = referenceSign({
      method: 'POST',
      path: '/event',
      headers,
      body: r.body,
      amzDate: AMZ_DATE,
      region: REGION,
      service: 'appsync',
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
    });
    expect(ref.authorization).toBe(authorization);
  });

  it("builds the connect canonical request of the protocol reference §4.3, byte for byte", () => {
    const ref = referenceSign({
      method: 'POST',
      path: '/event',
      headers: [...CONSTANT_HEADERS, ['host', HOST], ['x-amz-date', AMZ_DATE], ['x-amz-security-token', SESSION_TOKEN]],
      body: '{}',
      amzDate: AMZ_DATE,
      region: REGION,
      service: 'appsync',
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
    });
    expect(ref.canonicalRequest).toBe(
      [
        'POST',
        '/event',
        '',
        'accept:application/json, text/javascript',
        'content-encoding:amz-1.0',
        'content-type:application/json; charset=UTF-8',
        `host:${HOST}`,
        `x-amz-date:${AMZ_DATE}`,
        `x-amz-security-token:${SESSION_TOKEN}`,
        '',
        'accept;content-encoding;content-type;host;x-amz-date;x-amz-security-token',
        '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', // sha256("{}")
      ].join('\n'),
    );
    expect(sha256Hex('{}')).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    // The vector above is this very signature.
    expect(ref.authorization).toBe(VECTORS[3].authorization);
  });

  // Proves the hand-written reference itself against AWS's published SigV4 test suite, so that the
  // cross-check above is not one implementation agreeing with its own mistake.
  it.each([
    ['GET', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
    ['POST', '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'],
  ])('the reference reproduces the AWS test suite %s-vanilla vector', (method, signature) => {
    const ref = referenceSign({
      method,
      path: '/',
      headers: [
        ['host', 'example.amazonaws.com'],
        ['x-amz-date', '20150830T123600Z'],
      ],
      body: '',
      amzDate: '20150830T123600Z',
      region: 'us-east-1',
      service: 'service',
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
    });
    expect(ref.signature).toBe(signature);
  });

  it('signs the request body it is given, so subscribe and publish differ from connect', async () => {
    const [c, s, p] = await Promise.all([sign(STATIC, connectRequest()), sign(STATIC, subscribeRequest()), sign(STATIC, publishRequest())]);
    expect(new Set([c['authorization'], s['authorization'], p['authorization']]).size).toBe(3);
    expect(subscribeRequest().body).toBe(SUBSCRIBE_BODY);
    expect(publishRequest().body).toBe(PUBLISH_BODY);
  });

  it('signs the HTTP publish body for http-publish requests like any other body', async () => {
    const request: AuthRequest = { ...publishRequest(), kind: 'http-publish' };
    expect(await sign(STATIC, request)).toEqual(expectedObject(VECTORS[2].authorization, false));
  });

  it('keeps the port in the host header of a loopback endpoint (emulator)', async () => {
    const host = '127.0.0.1:4010';
    const auth = await sign(STATIC, connectRequest(host, `http://${host}/event`));
    const ref = referenceSign({
      method: 'POST',
      path: '/event',
      headers: [...CONSTANT_HEADERS, ['host', host], ['x-amz-date', AMZ_DATE]],
      body: '{}',
      amzDate: AMZ_DATE,
      region: REGION,
      service: 'appsync',
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
    });
    expect(auth).toEqual(expectedObject(ref.authorization, false, host));
  });

  it('uses the configured service name in the scope', async () => {
    const auth = await sign(STATIC, connectRequest(), { service: 'execute-api' });
    expect(auth['authorization']).toContain('/eu-west-1/execute-api/aws4_request');
  });

  it('returns every header named in SignedHeaders and adds no x-amz-content-sha256', async () => {
    for (const credentials of [STATIC, TEMPORARY]) {
      const auth = await sign(credentials, publishRequest());
      const signed = /SignedHeaders=([^,]+)/.exec(auth['authorization'] ?? '')?.[1]?.split(';') ?? [];
      expect(signed.length).toBeGreaterThan(0);
      for (const name of signed) expect(auth[name]).toEqual(expect.any(String));
      expect(Object.keys(auth).sort()).toEqual([...signed, 'authorization'].sort());
      expect(auth).not.toHaveProperty('x-amz-content-sha256');
    }
  });

  it('treats an empty session token as none', async () => {
    const auth = await sign({ ...STATIC, sessionToken: '' }, connectRequest());
    expect(auth).toEqual(expectedObject(VECTORS[0].authorization, false));
  });

  it('formats x-amz-date from the clock in UTC without milliseconds', async () => {
    const auth = await sign(STATIC, connectRequest(), { signingDate: () => new Date('2024-02-29T23:59:59.999Z') });
    expect(auth['x-amz-date']).toBe('20240229T235959Z');
    expect(auth['authorization']).toContain('Credential=AKIDEXAMPLE/20240229/eu-west-1/appsync/aws4_request');
  });
});

describe('iamAuth: credentials are evaluated for every request', () => {
  it('calls a credential provider once per request and signs with what it returns (rotation)', async () => {
    const rotation: IamCredentials[] = [
      { accessKeyId: 'AKIDFIRST', secretAccessKey: 'first-secret' },
      { accessKeyId: 'AKIDSECOND', secretAccessKey: 'second-secret', sessionToken: 'second-token' },
      { accessKeyId: 'AKIDTHIRD', secretAccessKey: 'third-secret' },
    ];
    let calls = 0;
    const provider = jest.fn(async () => rotation[calls++ % rotation.length] as IamCredentials);
    const auth = iamAuth({ region: REGION, credentials: provider, signingDate: fixedClock });

    const first = await resolveAuth(auth, connectRequest());
    const second = await resolveAuth(auth, subscribeRequest());
    const third = await resolveAuth(auth, publishRequest());

    expect(provider).toHaveBeenCalledTimes(3);
    expect(first['authorization']).toContain('Credential=AKIDFIRST/');
    expect(first).not.toHaveProperty('x-amz-security-token');
    expect(second['authorization']).toContain('Credential=AKIDSECOND/');
    expect(second['x-amz-security-token']).toBe('second-token');
    expect(third['authorization']).toContain('Credential=AKIDTHIRD/');
  });

  it('accepts a synchronous provider', async () => {
    const provider = jest.fn(() => TEMPORARY);
    const auth = await resolveAuth(iamAuth({ region: REGION, credentials: provider, signingDate: fixedClock }), connectRequest());
    expect(auth).toEqual(expectedObject(VECTORS[3].authorization, true));
    expect(provider).toHaveBeenCalledTimes(1);
  });

  it('is lazy: nothing is resolved until subscribed, and each subscription signs anew', async () => {
    const provider = jest.fn(async () => STATIC);
    const dates = [new Date('2025-03-14T15:09:26Z'), new Date('2025-03-14T15:09:27Z')];
    let tick = 0;
    const auth = iamAuth({ region: REGION, credentials: provider, signingDate: () => dates[tick++] as Date });
    const pending = auth(connectRequest()) as ObservableInput<Authorization>;
    expect(provider).not.toHaveBeenCalled();

    const a = await firstValueFrom(from(pending));
    const b = await firstValueFrom(from(pending));
    expect(provider).toHaveBeenCalledTimes(2);
    expect(a['x-amz-date']).toBe('20250314T150926Z');
    expect(b['x-amz-date']).toBe('20250314T150927Z');
    expect(a['authorization']).not.toBe(b['authorization']);
  });

  it('works with an AWS SDK v3 shaped provider (optional identity properties, extra fields)', async () => {
    // The shape of `AwsCredentialIdentityProvider`, written out so the test needs no AWS SDK.
    type SdkProvider = (props?: Record<string, unknown>) => Promise<IamCredentials & { expiration?: Date; accountId?: string }>;
    const sdk: SdkProvider = async () => ({ ...TEMPORARY, expiration: new Date('2030-01-01T00:00:00Z'), accountId: '123456789012' });
    const auth = await resolveAuth(iamAuth({ region: REGION, credentials: sdk, signingDate: fixedClock }), connectRequest());
    expect(auth).toEqual(expectedObject(VECTORS[3].authorization, true));
  });
});

describe('iamAuth: configuration errors', () => {
  const bad = (options: unknown): (() => unknown) => () => iamAuth(options as IamAuthOptions);

  it.each([
    ['no options', undefined],
    ['no region', { credentials: STATIC }],
    ['an empty region', { region: '', credentials: STATIC }],
    ['a malformed region', { region: 'eu west/1', credentials: STATIC }],
    ['no credentials', { region: REGION }],
    ['credentials without a secret', { region: REGION, credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: '' } }],
    ['credentials without an access key id', { region: REGION, credentials: { secretAccessKey: SECRET } }],
    ['credentials of the wrong type', { region: REGION, credentials: 'AKID:secret' }],
    ['a malformed service', { region: REGION, credentials: STATIC, service: 'App Sync' }],
    ['a signingDate that is not a function', { region: REGION, credentials: STATIC, signingDate: SIGNING_DATE }],
  ])('throws ValidationError(INVALID_CONFIG) for %s', (_name, options) => {
    expect(bad(options)).toThrow(ValidationError);
    try {
      iamAuth(options as IamAuthOptions);
    } catch (e) {
      expect((e as ValidationError).reason).toBe('INVALID_CONFIG');
      expect((e as ValidationError).code).toBe('VALIDATION');
    }
  });

  it('fails the request with ValidationError when the clock returns an invalid date', async () => {
    await expect(sign(STATIC, connectRequest(), { signingDate: () => new Date(Number.NaN) })).rejects.toBeInstanceOf(ValidationError);
  });

  it('fails the request with ValidationError when the request has no host or URL', async () => {
    await expect(sign(STATIC, { ...connectRequest(), host: '' })).rejects.toMatchObject({ reason: 'INVALID_ARGUMENT' });
    await expect(sign(STATIC, { ...connectRequest(), httpUrl: 'not a url' })).rejects.toMatchObject({ reason: 'INVALID_ARGUMENT' });
  });
});

describe('iamAuth: credential provider failures', () => {
  class CredentialsProviderError extends Error {
    override name = 'CredentialsProviderError';
  }

  it.each([
    ['throws', () => { throw new CredentialsProviderError('Could not load credentials from any providers'); }, 'the credentials provider failed (CredentialsProviderError)', 'AUTH_PROVIDER_FAILED'],
    ['rejects', () => Promise.reject(new CredentialsProviderError('expired SSO session')), 'the credentials provider failed (CredentialsProviderError)', 'AUTH_PROVIDER_FAILED'],
    ['rejects with a non-Error', () => Promise.reject('nope'), 'the credentials provider failed', 'AUTH_PROVIDER_FAILED'],
    ['resolves to nothing', () => Promise.resolve(undefined), 'returned no accessKeyId/secretAccessKey', 'INVALID_CONFIG'],
    ['resolves without a secret', () => ({ accessKeyId: ACCESS_KEY_ID }), 'returned no accessKeyId/secretAccessKey', 'INVALID_CONFIG'],
  ])('surfaces IamCredentialsError when the provider %s', async (_name, provider, text, reason) => {
    const auth = iamAuth({ region: REGION, credentials: provider as unknown as () => IamCredentials, signingDate: fixedClock });
    const error: unknown = await resolveAuth(auth, connectRequest()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IamCredentialsError);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ name: 'IamCredentialsError', code: 'VALIDATION', reason });
    expect((error as Error).message).toContain(text);
  });

  it('keeps the provider error as the non-enumerable providerError, out of the message, JSON and util.inspect', async () => {
    const original = new CredentialsProviderError(`bad key ${SECRET}`);
    const auth = iamAuth({ region: REGION, credentials: () => Promise.reject(original), signingDate: fixedClock });
    const error = (await resolveAuth(auth, connectRequest()).catch((e: unknown) => e)) as IamCredentialsError;
    expect(error.providerError).toBe(original);
    expect(error.cause).toBeUndefined();
    expect(Object.keys(error)).not.toContain('providerError');
    expect(inspect(error)).not.toContain(SECRET);
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });
});
