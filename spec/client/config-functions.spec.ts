/**
 * (Found by a review, 29 Nov 2026; each case failed before the fix.) `createEventsClient` documents "Throws ValidationError (INVALID_CONFIG) on an invalid
 * configuration", and it does check `auth` (must be a function) and every duration. The other
 * function-typed options were not checked at all; a wrong value was only found on first use, where it
 * turned into something else: `generateId` made every operation fail with INVALID_ID, `WebSocket`
 * became a retryable ConnectionError (reconnecting for ever by default), and `retry.random` /
 * `retry.shouldRetry` threw a TypeError from inside the connection's failure handling.
 */
import { apiKeyAuth, createEventsClient, type EventsClientConfig } from '../../src';
import { ValidationError } from '../../src/errors';
import { createHttpPublisher, type FetchLike } from '../../src/http';

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
