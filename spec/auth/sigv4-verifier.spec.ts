import { iamAuth, type IamCredentials } from '../../src/iam';
import { createIamVerifier, type IamVerifierOptions } from '../../src/testing/sigv4-verifier';
import { ValidationError } from '../../src/errors';
import type { AuthorizationContext } from '../../src/testing/types';
import type { AuthRequest } from '../../src/auth/types';
import type { MessageError } from '../../src/protocol/messages';
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
  connectRequest,
  publishRequest,
  resolveAuth,
  subscribeRequest,
} from './helpers';
import { referenceSign, sha256Hex } from './sigv4-reference';

const STATIC: IamCredentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET };
const TEMP: IamCredentials = { accessKeyId: 'ASIATEMPORARYEXAMPLE', secretAccessKey: 'temporary/secret+EXAMPLEKEY', sessionToken: SESSION_TOKEN };
const CONTEXT: AuthorizationContext = { kind: 'connect' };
const MISMATCH: MessageError = { errorType: 'BadRequestException', message: 'The request signature we calculated does not match the signature you provided.' };
const INVALID_TOKEN: MessageError = { errorType: 'UnauthorizedException', message: 'The security token included in the request is invalid.' };

const at = (offsetMs: number) => (): Date => new Date(SIGNING_DATE.getTime() + offsetMs);
const verifier = (options: Partial<IamVerifierOptions> = {}) => createIamVerifier({ credentials: [STATIC, TEMP], region: REGION, now: at(0), ...options });

async function signed(credentials: IamCredentials, request: AuthRequest = connectRequest()): Promise<Record<string, string>> {
  const auth = await resolveAuth(iamAuth({ region: REGION, credentials, signingDate: () => SIGNING_DATE }), request);
  return auth as Record<string, string>;
}

function withHeader(headers: Record<string, string>, name: string, value: string | undefined): Record<string, string> {
  const out = { ...headers };
  if (value === undefined) delete out[name];
  else out[name] = value;
  return out;
}

describe('createIamVerifier: valid signatures', () => {
  it.each([
    ['connect', connectRequest],
    ['subscribe', subscribeRequest],
    ['publish', publishRequest],
  ])('accepts a %s signed by iamAuth, with long-term and temporary credentials', async (_kind, request) => {
    const verify = verifier();
    for (const credentials of [STATIC, TEMP]) {
      const r = request();
      expect(await verify(await signed(credentials, r), r.body, CONTEXT)).toBeUndefined();
    }
  });

  it('accepts a loopback host with its port (the emulator)', async () => {
    const host = '127.0.0.1:4010';
    const r = connectRequest(host, `http://${host}/event`);
    expect(await verifier()(await signed(STATIC, r), r.body, CONTEXT)).toBeUndefined();
  });

  it('accepts a signature made without the SDK (hand-written SigV4 with node:crypto)', async () => {
    const ref = referenceSign({
      method: 'POST',
      path: '/event',
      headers: [...CONSTANT_HEADERS, ['host', HOST], ['x-amz-date', AMZ_DATE]],
      body: PUBLISH_BODY,
      amzDate: AMZ_DATE,
      region: REGION,
      service: 'appsync',
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
    });
    const headers = { ...Object.fromEntries(CONSTANT_HEADERS), host: HOST, 'x-amz-date': AMZ_DATE, authorization: ref.authorization };
    expect(await verifier()(headers, PUBLISH_BODY, CONTEXT)).toBeUndefined();
  });

  it('accepts other signed header sets, as long as every listed header is present (Android-style connect)', async () => {
    // host, sec-websocket-protocol, x-amz-content-sha256, x-amz-date, x-amz-security-token (§4.2).
    const headers: Array<readonly [string, string]> = [
      ['host', HOST],
      ['sec-websocket-protocol', 'aws-appsync-event-ws'],
      ['x-amz-content-sha256', sha256Hex('{}')],
      ['x-amz-date', AMZ_DATE],
      ['x-amz-security-token', SESSION_TOKEN],
    ];
    const ref = referenceSign({ method: 'POST', path: '/event', headers, body: '{}', amzDate: AMZ_DATE, region: REGION, service: 'appsync', accessKeyId: TEMP.accessKeyId, secretAccessKey: TEMP.secretAccessKey });
    expect(await verifier()({ ...Object.fromEntries(headers), authorization: ref.authorization }, '{}', CONTEXT)).toBeUndefined();
  });

  it('accepts a correct but unsigned session token', async () => {
    const ref = referenceSign({
      method: 'POST',
      path: '/event',
      headers: [...CONSTANT_HEADERS, ['host', HOST], ['x-amz-date', AMZ_DATE]],
      body: '{}',
      amzDate: AMZ_DATE,
      region: REGION,
      service: 'appsync',
      accessKeyId: TEMP.accessKeyId,
      secretAccessKey: TEMP.secretAccessKey,
    });
    const headers = { ...Object.fromEntries(CONSTANT_HEADERS), host: HOST, 'x-amz-date': AMZ_DATE, 'x-amz-security-token': SESSION_TOKEN, authorization: ref.authorization };
    expect(await verifier()(headers, '{}', CONTEXT)).toBeUndefined();
  });

  it('accepts any region when none is configured, and a date within the allowed skew', async () => {
    const headers = await resolveAuth(iamAuth({ region: 'ap-southeast-2', credentials: STATIC, signingDate: () => SIGNING_DATE }), connectRequest());
    const verify = createIamVerifier({ credentials: [STATIC], now: at(4 * 60_000) });
    expect(await verify(headers as Record<string, string>, '{}', CONTEXT)).toBeUndefined();
    const early = createIamVerifier({ credentials: [STATIC], now: at(-4 * 60_000) });
    expect(await early(headers as Record<string, string>, '{}', CONTEXT)).toBeUndefined();
  });
});

describe('createIamVerifier: rejections', () => {
  it('rejects a signature made with the wrong secret', async () => {
    const headers = await signed({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'not-the-secret' });
    expect(await verifier()(headers, '{}', CONTEXT)).toEqual(MISMATCH);
  });

  it('rejects a signature over a different body', async () => {
    const headers = await signed(STATIC, subscribeRequest());
    expect(await verifier()(headers, JSON.stringify({ channel: '/default/other' }), CONTEXT)).toEqual(MISMATCH);
    expect(await verifier()(headers, '{}', CONTEXT)).toEqual(MISMATCH);
  });

  it('rejects an unknown access key', async () => {
    const headers = await signed({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: SECRET });
    expect(await verifier()(headers, '{}', CONTEXT)).toEqual(INVALID_TOKEN);
  });

  it('rejects a stale x-amz-date with the service\'s "Signature expired" text', async () => {
    const headers = await signed(STATIC);
    expect(await verifier({ now: at(6 * 60_000) })(headers, '{}', CONTEXT)).toEqual({
      errorType: 'BadRequestException',
      message: 'Signature expired: 20250314T150926Z is now earlier than 20250314T151026Z (20250314T151526Z - 5 min.)',
    });
  });

  it('rejects an x-amz-date in the future beyond the skew', async () => {
    const headers = await signed(STATIC);
    const error = await verifier({ now: at(-6 * 60_000), maxClockSkewMs: 90_000 })(headers, '{}', CONTEXT);
    expect(error).toEqual({
      errorType: 'BadRequestException',
      message: 'Signature not yet current: 20250314T150926Z is still later than 20250314T150456Z (20250314T150326Z + 90000 ms.)',
    });
  });

  it.each([
    ['host', 'evil.example.com'],
    ['content-type', 'text/plain'],
    ['accept', 'application/json'],
    ['content-encoding', 'gzip'],
  ])('rejects a tampered signed header (%s)', async (name, value) => {
    const headers = await signed(STATIC);
    expect(await verifier()(withHeader(headers, name, value), '{}', CONTEXT)).toEqual(MISMATCH);
  });

  it('rejects a tampered x-amz-date (same day, still fresh)', async () => {
    const headers = await signed(STATIC);
    expect(await verifier()(withHeader(headers, 'x-amz-date', '20250314T150927Z'), '{}', CONTEXT)).toEqual(MISMATCH);
  });

  it('rejects a tampered signature', async () => {
    const headers = await signed(STATIC);
    const auth = headers['authorization'] as string;
    const flipped = auth.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expect(await verifier()(withHeader(headers, 'authorization', flipped), '{}', CONTEXT)).toEqual(MISMATCH);
  });

  it('rejects temporary credentials without their session token', async () => {
    // Signed with the right key and secret but no token: the token is missing from the request.
    const headers = await signed({ accessKeyId: TEMP.accessKeyId, secretAccessKey: TEMP.secretAccessKey });
    expect(await verifier()(headers, '{}', CONTEXT)).toEqual(INVALID_TOKEN);
    // Signed with it, then stripped.
    const stripped = withHeader(await signed(TEMP), 'x-amz-security-token', undefined);
    expect(await verifier()(stripped, '{}', CONTEXT)).toEqual({ errorType: 'BadRequestException', message: "Signed header 'x-amz-security-token' is missing from the auth object." });
  });

  it('rejects a wrong session token, and a token on long-term credentials', async () => {
    const wrong = await signed({ ...TEMP, sessionToken: 'another-token' });
    expect(await verifier()(wrong, '{}', CONTEXT)).toEqual(INVALID_TOKEN);
    const extra = await signed({ ...STATIC, sessionToken: SESSION_TOKEN });
    expect(await verifier()(extra, '{}', CONTEXT)).toEqual(INVALID_TOKEN);
  });

  it('rejects a scope for another region or service', async () => {
    const otherRegion = await resolveAuth(iamAuth({ region: 'us-east-1', credentials: STATIC, signingDate: () => SIGNING_DATE }), connectRequest());
    expect(await verifier()(otherRegion as Record<string, string>, '{}', CONTEXT)).toEqual({ errorType: 'BadRequestException', message: 'Credential should be scoped to a valid region.' });
    const otherService = await resolveAuth(iamAuth({ region: REGION, service: 'execute-api', credentials: STATIC, signingDate: () => SIGNING_DATE }), connectRequest());
    expect(await verifier()(otherService as Record<string, string>, '{}', CONTEXT)).toEqual({ errorType: 'BadRequestException', message: "Credential should be scoped to correct service: 'appsync'." });
  });

  it('rejects a scope date that differs from x-amz-date', async () => {
    const headers = await signed(STATIC);
    const auth = (headers['authorization'] as string).replace('/20250314/', '/20250313/');
    const error = await verifier()(withHeader(headers, 'authorization', auth), '{}', CONTEXT);
    expect(error?.errorType).toBe('BadRequestException');
    expect(error?.message).toContain('Date in Credential scope does not match');
  });

  it('rejects a missing or malformed authorization', async () => {
    const headers = await signed(STATIC);
    const verify = verifier();
    expect(await verify(withHeader(headers, 'authorization', undefined), '{}', CONTEXT)).toMatchObject({ errorType: 'UnauthorizedException' });
    const auth = headers['authorization'] as string;
    for (const malformed of [
      auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1'),
      auth.replace(/, Signature=[0-9a-f]+$/, ''),
      auth.replace(/Signature=[0-9a-f]+$/, 'Signature=xyz'),
      auth.replace('/aws4_request', '/aws5_request'),
      auth.replace('SignedHeaders=', 'SignedHeaders=;'),
    ]) {
      expect(await verify(withHeader(headers, 'authorization', malformed), '{}', CONTEXT)).toMatchObject({ errorType: 'BadRequestException' });
    }
  });

  it('requires host and x-amz-date to be signed, and a well-formed x-amz-date', async () => {
    const headers: Array<readonly [string, string]> = [...CONSTANT_HEADERS, ['x-amz-date', AMZ_DATE]];
    const ref = referenceSign({ method: 'POST', path: '/event', headers, body: '{}', amzDate: AMZ_DATE, region: REGION, service: 'appsync', accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET });
    const noHost = { ...Object.fromEntries(headers), host: HOST, authorization: ref.authorization };
    expect(await verifier()(noHost, '{}', CONTEXT)).toEqual({ errorType: 'BadRequestException', message: "'Host' must be a 'SignedHeader' in the AWS Authorization." });

    const noDate = referenceSign({ method: 'POST', path: '/event', headers: [['host', HOST]], body: '{}', amzDate: AMZ_DATE, region: REGION, service: 'appsync', accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET });
    expect(await verifier()({ host: HOST, 'x-amz-date': AMZ_DATE, authorization: noDate.authorization }, '{}', CONTEXT)).toMatchObject({ errorType: 'BadRequestException' });

    const signedHeaders = await signed(STATIC);
    for (const bad of ['2025-03-14T15:09:26Z', '20250231T150926Z', '']) {
      expect(await verifier()(withHeader(signedHeaders, 'x-amz-date', bad), '{}', CONTEXT)).toMatchObject({ errorType: 'BadRequestException' });
    }
  });

  it('rejects a signed x-amz-content-sha256 that is not the hash of the body', async () => {
    const headers: Array<readonly [string, string]> = [['host', HOST], ['x-amz-content-sha256', sha256Hex('{}')], ['x-amz-date', AMZ_DATE]];
    const ref = referenceSign({ method: 'POST', path: '/event', headers, body: '{}', amzDate: AMZ_DATE, region: REGION, service: 'appsync', accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET });
    const auth = { ...Object.fromEntries(headers), authorization: ref.authorization };
    expect(await verifier()(auth, '{}', CONTEXT)).toBeUndefined();
    expect(await verifier()(auth, '{"channel":"/default/x"}', CONTEXT)).toEqual({
      errorType: 'BadRequestException',
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    });
  });
});

describe('createIamVerifier: options', () => {
  it('uses the real clock by default', async () => {
    const now = new Date();
    const headers = await resolveAuth(iamAuth({ region: REGION, credentials: STATIC, signingDate: () => now }), connectRequest());
    expect(await createIamVerifier({ credentials: [STATIC] })(headers as Record<string, string>, '{}', CONTEXT)).toBeUndefined();
  });

  it.each([
    ['a non-array', { credentials: STATIC }],
    ['a credential without a secret', { credentials: [{ accessKeyId: 'A', secretAccessKey: '' }] }],
    ['a repeated access key id', { credentials: [STATIC, { ...STATIC, secretAccessKey: 'other' }] }],
    ['a negative skew', { credentials: [STATIC], maxClockSkewMs: -1 }],
  ])('throws ValidationError for %s', (_name, options) => {
    expect(() => createIamVerifier(options as unknown as IamVerifierOptions)).toThrow(ValidationError);
  });

  it('rejects everything with an empty credential table', async () => {
    const headers = await signed(STATIC);
    expect(await createIamVerifier({ credentials: [], now: at(0) })(headers, '{}', CONTEXT)).toEqual(INVALID_TOKEN);
  });
});
