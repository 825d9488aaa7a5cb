/**
 * (Found by a review, 29 Nov 2026; each case failed before the fix.) `createEventsClient` documents "Throws ValidationError (INVALID_CONFIG) on an invalid
 * configuration", and it does check `auth` (must be a function) and every duration. The other
 * function-typed options were not checked at all; a wrong value was only found on first use, where it
 * turned into something else: `generateId` made every operation fail with INVALID_ID, `WebSocket`
 * became a retryable ConnectionError (reconnecting for ever by default), and `retry.random` /
 * `retry.shouldRetry` threw a TypeError from inside the connection's failure handling.
 */
import { filter, firstValueFrom } from 'rxjs';
import { apiKeyAuth, createEventsClient, type EventsClientConfig } from '../../src';
import { ValidationError } from '../../src/errors';
import { createHttpPublisher, type FetchLike } from '../../src/http';
import { startEventApi } from '../../src/testing';

const base: EventsClientConfig = {
  httpEndpoint: 'https://example.appsync-api.eu-west-1.amazonaws.com/event',
  auth: apiKeyAuth('da2-reviewreviewreviewreview00'),
};

describe('createEventsClient refuses a non-function where a function is configured', () => {
  it.each<[string, Partial<Record<string, unknown>>]>([
    ['generateId', { generateId: 'id-1' }],
    ['WebSocket', { WebSocket: {} }],
    ['retry.random', { retry: { random: 0.5 } }],
    ['retry.shouldRetry', { retry: { shouldRetry: true } }],
  ])('%s', (name, extra) => {
    let outcome: unknown = 'created';
    try {
      createEventsClient({ ...base, ...extra } as EventsClientConfig).close();
    } catch (e) {
      outcome = e;
    }
    expect(outcome).toBeInstanceOf(ValidationError);
    expect(outcome).toMatchObject({ reason: 'INVALID_CONFIG', message: `${name.startsWith('retry') ? '' : 'createEventsClient: config.'}${name} must be a function` });
  });

  it('createHttpPublisher refuses a fetch that is not a function, and both accept the functions', () => {
    expect(() => createHttpPublisher({ ...base, fetch: 'nope' as unknown as FetchLike })).toThrow(
      expect.objectContaining({ reason: 'INVALID_CONFIG', message: 'createHttpPublisher: config.fetch must be a function' }),
    );
    const fetch: FetchLike = async () => ({ status: 200, text: async () => '' });
    expect(() => createHttpPublisher({ ...base, fetch })).not.toThrow();
    const client = createEventsClient({ ...base, generateId: () => 'a', retry: { random: () => 0.5, shouldRetry: () => true } });
    client.close();
  });
});

describe('null means absent for an optional function or headers option, as for the number options', () => {
  it.each<[string, Record<string, unknown>]>([
    ['generateId: null', { generateId: null }],
    ['retry.random: null', { retry: { random: null } }],
    ['retry.shouldRetry: null', { retry: { shouldRetry: null } }],
    ['headers: null', { headers: null }],
    ['requestTimeoutMs: null', { requestTimeoutMs: null }],
    ['retry: null', { retry: null }],
  ])('createEventsClient accepts %s', (_name, extra) => {
    expect(() => createEventsClient({ ...base, ...extra } as unknown as EventsClientConfig).close()).not.toThrow();
  });

  it.each<[string, Record<string, unknown>]>([
    ['fetch: null', { fetch: null }],
    ['headers: null', { headers: null }],
  ])('createHttpPublisher accepts %s', (_name, extra) => {
    expect(() => createHttpPublisher({ ...base, ...extra } as never)).not.toThrow();
  });

  it('WebSocket: null connects with the default WebSocket (against the emulator)', async () => {
    const api = await startEventApi();
    const client = createEventsClient({ ...api.clientConfig, WebSocket: null } as unknown as EventsClientConfig);
    try {
      // The first state after connecting settles it either way (a failed attempt must not leave the test waiting).
      const connecting = client.connect().catch((e: unknown) => e);
      const settled = await firstValueFrom(client.connectionState$.pipe(filter((state) => !['idle', 'connecting'].includes(state.status))));
      expect(settled.status).toBe('connected');
      await expect(connecting).resolves.toMatchObject({ status: 'connected' });
    } finally {
      client.close();
      await api.close();
    }
  });
});
