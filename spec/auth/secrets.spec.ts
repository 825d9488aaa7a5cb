// Security: nothing the auth code produces on a failure path may carry a credential. Every error
// object and every verifier answer is stringified every way a log would, and searched for the
// secret key, the session token, the JWT and any signature (the one sent and the right one).
import { iamAuth, type IamCredentials } from '../../src/iam';
import { cognitoUserPoolsAuth, oidcAuth } from '../../src/auth/tokens';
import { lambdaAuth } from '../../src/auth/lambda';
import { createIamVerifier } from '../../src/testing/sigv4-verifier';
import type { AuthorizationContext } from '../../src/testing/types';
import { REGION, SIGNING_DATE, connectRequest, publishRequest, resolveAuth } from './helpers';
import { referenceSign } from './sigv4-reference';

const SECRET = 'zZ9SECRETsecretSECRETsecretSECRETsecret0';
const TOKEN = 'FwoGZXIvYXdzEXAMPLETOKENexampleTOKENexample//==';
const AKID = 'ASIASECRETEXAMPLEKEY';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtdXNlciJ9.c2VjcmV0LXNpZ25hdHVyZQ';
const CREDS: IamCredentials = { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: TOKEN };
const CONTEXT: AuthorizationContext = { kind: 'publish', channel: '/default/chat', namespace: 'default' };

function renderings(value: unknown): string[] {
  const out = [JSON.stringify(value), String(value)];
  if (value instanceof Error) out.push(value.message, value.stack ?? '', value.name);
  return out;
}

function expectClean(values: readonly unknown[], forbidden: readonly string[]): void {
  expect(values.length).toBeGreaterThan(0);
  for (const value of values) {
    for (const text of renderings(value)) {
      for (const secret of forbidden) expect(text).not.toContain(secret);
    }
  }
}

const signatureOf = (authorization: string): string => /Signature=([0-9a-f]{64})/.exec(authorization)?.[1] ?? '';
const fail = (promise: Promise<unknown>): Promise<unknown> => promise.then(
  (v) => {
    throw new Error(`expected a failure, got ${typeof v}`);
  },
  (e: unknown) => e,
);

describe('no credential in any failure output', () => {
  it('iamAuth configuration and credential-provider errors', async () => {
    const errors: unknown[] = [];
    const capture = (f: () => unknown): void => {
      try {
        f();
      } catch (e) {
        errors.push(e);
      }
    };
    capture(() => iamAuth({ region: '', credentials: CREDS }));
    capture(() => iamAuth({ region: REGION, credentials: { accessKeyId: AKID, secretAccessKey: '' } }));
    capture(() => iamAuth({ region: REGION, credentials: { accessKeyId: '', secretAccessKey: SECRET, sessionToken: TOKEN } }));
    capture(() => iamAuth({ region: `eu west ${SECRET}`, credentials: CREDS }));

    const providerErrors = [
      () => Promise.reject(new Error(`could not refresh ${AKID}:${SECRET} with ${TOKEN}`)),
      () => {
        throw Object.assign(new TypeError(`token ${TOKEN} expired`), { name: 'ExpiredTokenException' });
      },
      () => Promise.resolve({ accessKeyId: AKID, sessionToken: TOKEN } as unknown as IamCredentials),
      () => Promise.resolve({ accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: 42 } as unknown as IamCredentials),
    ];
    for (const provider of providerErrors) {
      errors.push(await fail(resolveAuth(iamAuth({ region: REGION, credentials: provider, signingDate: () => SIGNING_DATE }), connectRequest())));
    }
    errors.push(await fail(resolveAuth(iamAuth({ region: REGION, credentials: CREDS, signingDate: () => new Date(Number.NaN) }), connectRequest())));
    errors.push(await fail(resolveAuth(iamAuth({ region: REGION, credentials: CREDS }), { ...connectRequest(), httpUrl: 'nope' })));

    expect(errors).toHaveLength(10);
    expectClean(errors, [SECRET, TOKEN, AKID]);
  });

  it('token getter errors', async () => {
    const errors: unknown[] = [];
    for (const mode of [cognitoUserPoolsAuth, oidcAuth, lambdaAuth]) {
      try {
        mode('');
      } catch (e) {
        errors.push(e);
      }
      errors.push(await fail(resolveAuth(mode(() => ''), connectRequest())));
    }
    expect(errors).toHaveLength(6);
    expectClean(errors, [JWT, SECRET]);
  });

  it('every IamVerifier rejection', async () => {
    const verify = createIamVerifier({ credentials: [CREDS], region: REGION, now: () => SIGNING_DATE });
    const good = (await resolveAuth(iamAuth({ region: REGION, credentials: CREDS, signingDate: () => SIGNING_DATE }), publishRequest())) as Record<string, string>;
    const body = publishRequest().body;
    const goodSignature = signatureOf(good['authorization'] as string);
    const wrongSecret = (await resolveAuth(
      iamAuth({ region: REGION, credentials: { ...CREDS, secretAccessKey: `${SECRET}x` }, signingDate: () => SIGNING_DATE }),
      publishRequest(),
    )) as Record<string, string>;
    const withoutToken = (await resolveAuth(
      iamAuth({ region: REGION, credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, signingDate: () => SIGNING_DATE }),
      publishRequest(),
    )) as Record<string, string>;
    const unknownKey = (await resolveAuth(
      iamAuth({ region: REGION, credentials: { ...CREDS, accessKeyId: 'AKIDOTHER' }, signingDate: () => SIGNING_DATE }),
      publishRequest(),
    )) as Record<string, string>;
    const contentSha = referenceSign({
      method: 'POST',
      path: '/event',
      headers: [
        ['host', good['host'] as string],
        ['x-amz-content-sha256', '0'.repeat(64)],
        ['x-amz-date', good['x-amz-date'] as string],
        ['x-amz-security-token', TOKEN],
      ],
      body,
      amzDate: good['x-amz-date'] as string,
      region: REGION,
      service: 'appsync',
      accessKeyId: AKID,
      secretAccessKey: SECRET,
    });

    const cases: Array<Record<string, string>> = [
      wrongSecret,
      withoutToken,
      unknownKey,
      { ...good, 'x-amz-security-token': `${TOKEN}x` },
      { ...good, host: 'evil.example.com' },
      { ...good, authorization: (good['authorization'] as string).replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1') },
      { ...good, authorization: (good['authorization'] as string).replace(/Signature=.*/, `Signature=${goodSignature}zz`) },
      { ...good, 'x-amz-date': 'not-a-date' },
      {
        host: good['host'] as string,
        'x-amz-content-sha256': '0'.repeat(64),
        'x-amz-date': good['x-amz-date'] as string,
        'x-amz-security-token': TOKEN,
        authorization: contentSha.authorization,
      },
    ];
    const answers: unknown[] = [];
    for (const headers of cases) answers.push(await verify(headers, body, CONTEXT));
    answers.push(await verify(good, '{"channel":"/default/other","events":["1"]}', CONTEXT));
    answers.push(await createIamVerifier({ credentials: [CREDS], now: () => new Date(SIGNING_DATE.getTime() + 3_600_000) })(good, body, CONTEXT));

    for (const answer of answers) expect(answer).toMatchObject({ errorType: expect.stringMatching(/^(BadRequest|Unauthorized)Exception$/) });
    const sentSignatures = [...cases, good].map((h) => signatureOf(h['authorization'] ?? '')).filter((s) => s !== '');
    expectClean(answers, [SECRET, TOKEN, AKID, goodSignature, ...sentSignatures]);
  });
});
