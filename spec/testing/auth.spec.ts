import type { AuthorizationContext, IamVerifier } from '../../src/testing';
import { connectRaw } from '../helpers/raw-ws';
import { emulatorFixture, keyAuth, publish, subscribe } from './fixture';

const fx = emulatorFixture();

function iamAuth(host: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    host,
    accept: 'application/json, text/javascript',
    'content-encoding': 'amz-1.0',
    'content-type': 'application/json; charset=UTF-8',
    'x-amz-date': '20260101T000000Z',
    Authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
    ...extra,
  };
}

describe('API keys', () => {
  it('generates one da2- key by default and exposes it in clientConfig', async () => {
    const api = await fx.start();
    expect(api.apiKey).toMatch(/^da2-[a-z0-9]{26}$/);
    expect(api.apiKeys).toEqual([api.apiKey]);
    expect(api.host).toBe(`127.0.0.1:${api.port}`);
    expect(api.httpEndpoint).toBe(`http://127.0.0.1:${api.port}/event`);
    expect(api.realtimeEndpoint).toBe(`ws://127.0.0.1:${api.port}/event/realtime`);
    expect(api.clientConfig.httpEndpoint).toBe(api.httpEndpoint);
    expect(api.clientConfig.realtimeEndpoint).toBe(api.realtimeEndpoint);
    const auth = await api.clientConfig.auth({ kind: 'connect', host: api.host, httpUrl: api.httpEndpoint, body: '{}' });
    expect(auth).toEqual({ host: api.host, 'x-api-key': api.apiKey });
  });

  it('accepts every configured key, for the connection and for each operation', async () => {
    const api = await fx.start({ apiKeys: ['da2-first', 'da2-second'] });
    expect(api.apiKey).toBe('da2-first');
    const client = await fx.ready(api, { protocols: ['aws-appsync-event-ws', `header-${Buffer.from(JSON.stringify({ host: api.host, 'x-api-key': 'da2-second' })).toString('base64url')}`] });
    expect((await subscribe(client, '/default/a', { 'x-api-key': 'da2-first' })).type).toBe('subscribe_success');
    expect((await publish(client, '/default/a', ['1'], { 'X-API-Key': 'da2-second' })).type).toBe('publish_success');
  });
});

describe('token authorizers (Lambda, Cognito, OIDC)', () => {
  it('passes the token without Bearer to the validators of the allowed modes, with the context, and exposes handlerContext as identity', async () => {
    const calls: { mode: string; token: string; ctx: AuthorizationContext }[] = [];
    const api = await fx.start({
      apiKeys: [],
      authorizers: {
        lambda: async (token, ctx) => {
          calls.push({ mode: 'lambda', token, ctx });
          return token === 'lambda-token' ? { isAuthorized: true, handlerContext: { user: 'u1' } } : false;
        },
        cognito: (token, ctx) => {
          calls.push({ mode: 'cognito', token, ctx });
          return token === 'jwt' ? { isAuthorized: true, handlerContext: { sub: 'abc' } } : false;
        },
      },
      namespaces: [{ name: 'default', onPublish: (ctx) => ctx.events.map((e) => ({ ...e, payload: ctx.identity })) }],
    });
    expect(api.apiKey).toBe('');
    const client = await fx.ready(api, { protocols: ['aws-appsync-event-ws', `header-${Buffer.from(JSON.stringify({ host: api.host, Authorization: 'Bearer lambda-token' })).toString('base64url')}`] });
    expect(calls[0]).toEqual({ mode: 'lambda', token: 'lambda-token', ctx: { kind: 'connect' } });

    await subscribe(client, '/default/*', { authorization: 'jwt' }, 's');
    expect(calls.at(-1)).toEqual({ mode: 'cognito', token: 'jwt', ctx: { kind: 'subscribe', channel: '/default/*', namespace: 'default' } });
    await publish(client, 'default/a', ['1'], { Authorization: 'lambda-token' });
    expect(JSON.parse((await client.nextOf('data', 's')).event as string)).toEqual({ handlerContext: { user: 'u1' } });
    await publish(client, 'default/a', ['1'], { Authorization: 'Bearer jwt' });
    expect(JSON.parse((await client.nextOf('data', 's')).event as string)).toEqual({ sub: 'abc', claims: { sub: 'abc' } });

    expect(await subscribe(client, '/default/b', { Authorization: 'nobody' })).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'UnauthorizedException' }] });
  });

  it('does not accept a token mode without a validator, nor API keys when apiKeys is empty', async () => {
    const api = await fx.start({ apiKeys: [], authorizers: { oidc: (t) => t === 'id-token' } });
    const noValidator = await fx.connect(api, { protocols: ['aws-appsync-event-ws'], headers: { authorization: 'whatever' } });
    noValidator.send({ type: 'connection_init' });
    await noValidator.nextOf('connection_error');
    const apiKey = await fx.connect(api, { protocols: ['aws-appsync-event-ws'], headers: { 'x-api-key': 'da2-anything' } });
    apiKey.send({ type: 'connection_init' });
    await apiKey.nextOf('connection_error');
    const ok = await fx.connect(api, { protocols: ['aws-appsync-event-ws'], headers: { authorization: 'id-token' } });
    ok.send({ type: 'connection_init' });
    await ok.nextOf('connection_ack');
  });

  it('treats a validator that throws as a refusal', async () => {
    const api = await fx.start({
      authorizers: {
        lambda: () => {
          throw new Error('authorizer down');
        },
      },
    });
    const client = await fx.ready(api);
    expect(await subscribe(client, '/default/a', { authorization: 't' })).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'UnauthorizedException' }] });
  });
});

describe('auth modes', () => {
  it('enforces connectionAuthModes', async () => {
    const api = await fx.start({ authorizers: { lambda: () => true }, connectionAuthModes: ['AWS_LAMBDA'] });
    const byKey = await fx.connect(api);
    byKey.send({ type: 'connection_init' });
    await byKey.nextOf('connection_error');
    const byToken = await fx.connect(api, { protocols: ['aws-appsync-event-ws'], headers: { authorization: 't' } });
    byToken.send({ type: 'connection_init' });
    await byToken.nextOf('connection_ack');
    // Operations on that connection may use another mode (§4.1).
    expect((await subscribe(byToken, '/default/a', keyAuth(api))).type).toBe('subscribe_success');
  });

  it('enforces per-namespace publish and subscribe modes, falling back to the API defaults', async () => {
    const api = await fx.start({
      authorizers: { lambda: () => true },
      defaultSubscribeAuthModes: ['AWS_LAMBDA'],
      namespaces: ['default', { name: 'keys', subscribeAuthModes: ['API_KEY'], publishAuthModes: ['AWS_LAMBDA'] }],
    });
    const client = await fx.ready(api);
    expect(await subscribe(client, '/default/a', keyAuth(api))).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'UnauthorizedException' }] });
    expect((await subscribe(client, '/default/a', { authorization: 't' })).type).toBe('subscribe_success');
    expect((await subscribe(client, '/keys/a', keyAuth(api))).type).toBe('subscribe_success');
    expect(await publish(client, '/keys/a', ['1'], keyAuth(api))).toMatchObject({ type: 'publish_error', errors: [{ errorType: 'UnauthorizedException' }] });
    expect((await publish(client, '/keys/a', ['1'], { authorization: 't' })).type).toBe('publish_success');
    expect((await publish(client, '/default/a', ['1'], keyAuth(api))).type).toBe('publish_success');
  });
});

describe('IAM seam', () => {
  it('calls the verifier with lower-cased headers and the exact signed body for connect, subscribe, WS publish and HTTP publish', async () => {
    const calls: { headers: Readonly<Record<string, string>>; body: string; ctx: AuthorizationContext }[] = [];
    const iam: IamVerifier = (headers, body, ctx) => {
      calls.push({ headers, body, ctx });
      return undefined;
    };
    const api = await fx.start({ authorizers: { iam }, namespaces: [{ name: 'default', onPublish: (ctx) => ctx.events.map((e) => ({ ...e, payload: ctx.identity })) }] });
    const header = `header-${Buffer.from(JSON.stringify(iamAuth(api.host))).toString('base64url')}`;
    const client = await fx.ready(api, { protocols: ['aws-appsync-event-ws', header] });
    expect(calls[0]?.body).toBe('{}');
    expect(calls[0]?.ctx).toEqual({ kind: 'connect' });
    expect(calls[0]?.headers).toMatchObject({ host: api.host, authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 /), 'x-amz-date': '20260101T000000Z' });

    await subscribe(client, 'default/a/', iamAuth(api.host), 's');
    expect(calls[1]?.body).toBe('{"channel":"default/a/"}');
    expect(calls[1]?.ctx).toEqual({ kind: 'subscribe', channel: '/default/a', namespace: 'default' });

    await publish(client, 'default/a', ['{"x":"<b>"}', '2'], iamAuth(api.host));
    // As the service rebuilds it from the frame: HTML-safe escaping (protocol reference §4.3).
    expect(calls[2]?.body).toBe(String.raw`{"channel":"default/a","events":["{\"x\":\"\u003cb\u003e\"}","2"]}`);
    expect(JSON.parse((await client.nextOf('data', 's')).event as string)).toEqual({ accessKeyId: 'AKIDEXAMPLE' });

    const raw = ' {"channel":"/default/a","events":["3"]} ';
    const res = await fetch(api.httpEndpoint, { method: 'POST', headers: iamAuth(api.host, { host: api.host }), body: raw });
    expect(res.status).toBe(200);
    expect(calls[3]?.body).toBe(raw);
    expect(calls[3]?.ctx).toEqual({ kind: 'http-publish', channel: '/default/a', namespace: 'default' });
  });

  it('reports the verifier’s error: connection_error, *_error, and HTTP 403 for a signature mismatch', async () => {
    const mismatch = { errorType: 'BadRequestException', message: 'The request signature we calculated does not match the signature you provided.' };
    const api = await fx.start({ authorizers: { iam: (_h, body) => (body === '{}' ? undefined : mismatch) } });
    const client = await fx.ready(api, { protocols: ['aws-appsync-event-ws', `header-${Buffer.from(JSON.stringify(iamAuth(api.host))).toString('base64url')}`] });
    expect(await subscribe(client, '/default/a', iamAuth(api.host))).toMatchObject({ type: 'subscribe_error', errors: [mismatch] });
    const res = await fetch(api.httpEndpoint, { method: 'POST', headers: iamAuth(api.host), body: JSON.stringify({ channel: '/default/a', events: ['1'] }) });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ errors: [mismatch] });

    const rejecting = await fx.start({ authorizers: { iam: () => mismatch } });
    const refused = await connectRaw(rejecting.realtimeEndpoint, { protocols: ['aws-appsync-event-ws', `header-${Buffer.from(JSON.stringify(iamAuth(rejecting.host))).toString('base64url')}`] });
    refused.send({ type: 'connection_init' });
    expect((await refused.nextOf('connection_error')).errors).toEqual([{ ...mismatch, errorCode: 400 }]);
    await refused.closed;
  });

  it('does not accept IAM without a verifier', async () => {
    const api = await fx.start();
    const client = await fx.ready(api);
    expect(await subscribe(client, '/default/a', iamAuth(api.host))).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'UnauthorizedException' }] });
  });
});
