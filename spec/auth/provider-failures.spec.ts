/**
 * Provider failures: a credentials provider that fails once is retried for the connection (it may
 * be offline with the network), the provider's own error is never printed, blank tokens are
 * refused before anything is sent, and `subprotocols` rejects rather than throws.
 */
import { inspect } from 'node:util';
import { filter, firstValueFrom } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { apiKeyAuth, createEventsClient, lambdaAuth, subprotocols, type AuthProvider, type AuthRequest, type EventsClient, type SubscribedEvent } from '../../src';
import { resolveAuth } from '../../src/auth/resolve';
import { iamAuth, type IamCredentials } from '../../src/iam';
import { startEventApi, type EventApi } from '../../src/testing';
import { createIamVerifier } from '../../src/testing/sigv4-verifier';
import { createMarbleHarness } from '../helpers/fake-socket';

const SECRET = 'zSECRETzSECRETzSECRET';
const CREDENTIALS: IamCredentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
const request: AuthRequest = { kind: 'connect', host: 'example.com', httpUrl: 'https://example.com/event', body: '{}' };

describe('an IAM credentials provider that fails once', () => {
  let api: EventApi;
  let client: EventsClient | undefined;
  beforeEach(async () => {
    api = await startEventApi({ authorizers: { iam: createIamVerifier({ credentials: [CREDENTIALS], region: 'eu-west-1' }) }, connectionAuthModes: ['AWS_IAM'] });
  });
  afterEach(async () => {
    client?.close();
    await api.close();
  });

  it('is retried for the connection, like a token getter, and the subscription comes up', async () => {
    let calls = 0;
    const credentials = (): Promise<IamCredentials> => (calls++ === 0 ? Promise.reject(new Error('network down')) : Promise.resolve(CREDENTIALS));
    client = createEventsClient({ ...api.clientConfig, auth: iamAuth({ region: 'eu-west-1', credentials }), retry: { initialDelayMs: 5 }, lingerMs: 0 });
    const states: string[] = [];
    client.connectionState$.subscribe((s) => states.push(s.status));
    const subscribed = firstValueFrom(client.subscribed$);
    client.subscribe('/default/a').subscribe({ error: () => undefined });
    await expect(subscribed).resolves.toEqual({ channel: '/default/a', resubscribed: false });
    expect(states.slice(0, 4)).toEqual(['idle', 'connecting', 'reconnecting', 'connecting']);
  });
});

describe('a subscription whose auth provider fails on resubscription', () => {
  let api: EventApi;
  let client: EventsClient | undefined;
  beforeEach(async () => {
    api = await startEventApi();
  });
  afterEach(async () => {
    client?.close();
    await api.close();
  });

  it('is tried again with the retry policy, reports the failure, and receives events again', async () => {
    let failNext = false;
    const keyAuth = api.clientConfig.auth;
    // Not an apiKeyAuth provider itself, so asked for every subscribe frame.
    const auth: AuthProvider = (r) => {
      if (!failNext) return keyAuth(r);
      failNext = false;
      throw new Error('token refresh failed');
    };
    client = createEventsClient({ ...api.clientConfig, retry: { initialDelayMs: 5 } });
    const subscribed: SubscribedEvent[] = [];
    const again = new Promise<void>((resolve) => client!.subscribed$.subscribe((e) => subscribed.push(e) === 2 && resolve()));
    const reported = firstValueFrom(client.protocolErrors$);
    const received: unknown[] = [];
    const errors: unknown[] = [];
    client.subscribe('/default/a', { auth }).subscribe({ next: (e) => received.push(e), error: (e) => errors.push(e) });
    await firstValueFrom(client.subscribed$);
    failNext = true;
    api.faults.dropConnections();
    await expect(reported).resolves.toMatchObject({ reason: 'AUTH_PROVIDER_FAILED' });
    await again;
    expect(subscribed).toEqual([
      { channel: '/default/a', resubscribed: false },
      { channel: '/default/a', resubscribed: true },
    ]);
    const data = firstValueFrom(client.messages$.pipe(filter((m) => m.type === 'data')));
    await api.publish('/default/a', [{ n: 1 }]);
    await data;
    expect(received).toEqual([{ n: 1 }]);
    expect(errors).toEqual([]);
  });
});

describe("a provider's own error", () => {
  it.each([
    ['a token getter', lambdaAuth(() => Promise.reject(new Error(`bad token ${SECRET}`)))],
    ['an IAM credentials provider', iamAuth({ region: 'eu-west-1', credentials: () => Promise.reject(new Error(`refresh failed for key ${SECRET}`)) })],
  ])('from %s is kept as providerError, which console.log (util.inspect) and JSON leave out', async (_what, auth) => {
    const e = (await new Promise<unknown>((resolve) => resolveAuth(auth, request, () => resolve(undefined), resolve))) as Error & {
      providerError?: Error;
      reason?: string;
    };
    expect(e.reason).toBe('AUTH_PROVIDER_FAILED');
    expect(e.providerError?.message).toContain(SECRET);
    expect(inspect(e) + JSON.stringify(e) + String(e)).not.toContain(SECRET);
  });
});

describe('blank tokens are refused before anything is sent', () => {
  it.each([['   '], [' \n'], ['\t']])('apiKeyAuth(%j) throws INVALID_CONFIG', (key) => {
    expect(() => apiKeyAuth(key)).toThrow(expect.objectContaining({ reason: 'INVALID_CONFIG' }) as unknown as Error);
  });

  it('a getter answering a blank token fails the operation with INVALID_CONFIG, and nothing is sent', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { auth: lambdaAuth(() => ' \n') });
      const out = h.record(h.client.publish('/default/a', [1]));
      h.at(10, () => {
        expect(h.sockets).toHaveLength(0);
        expect(out).toEqual([{ at: 0, error: expect.objectContaining({ reason: 'INVALID_CONFIG' }) }]);
        h.client.close();
      });
    });
  });
});

it('subprotocols(config) rejects (does not throw) on a bad endpoint', async () => {
  let promise: Promise<unknown> | undefined;
  expect(() => (promise = subprotocols({ httpEndpoint: 'not a url', auth: apiKeyAuth('k') }))).not.toThrow();
  await expect(promise).rejects.toMatchObject({ reason: 'INVALID_CONFIG' });
});

it('subprotocols(config) without an auth provider rejects with INVALID_CONFIG, as createEventsClient throws', async () => {
  const config = { httpEndpoint: 'https://example.appsync-api.eu-west-1.amazonaws.com' } as unknown as Parameters<typeof subprotocols>[0];
  await expect(subprotocols(config)).rejects.toMatchObject({ reason: 'INVALID_CONFIG', message: expect.stringContaining('needs config.auth') });
});
