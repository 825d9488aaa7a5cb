/**
 * An auth provider (application code) must answer an object of strings, and config `headers` must
 * be one. A value of another kind used to be sent as something else, or (a bigint, a cycle) made
 * the frame impossible to serialise after its request was registered: the operation then failed
 * with a TypeError, or not at all, and kept the connection in use for good. Now it fails with
 * `ValidationError` (`INVALID_CONFIG`) before anything is sent (found by a review, 29 Nov 2026).
 */
import { firstValueFrom } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { apiKeyAuth, createEventsClient, type AuthProvider } from '../../src';
import { ValidationError } from '../../src/errors';
import { createHttpPublisher, type FetchLike } from '../../src/http';
import { anError, createMarbleHarness } from '../helpers/fake-socket';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const cyclic: Record<string, unknown> = { host: 'h' };
cyclic.self = cyclic;
const answers: [string, unknown][] = [
  ['a bigint', { 'x-api-key': 10n }],
  ['a nested object with a cycle', cyclic],
  ['a number', { 'x-api-key': 42 }],
];

describe.each(answers)('an auth provider that answers %s', (_what, answer) => {
  const provider: AuthProvider = () => answer as Record<string, string>;
  const refused = (kind: string) => anError(ValidationError, { reason: 'INVALID_CONFIG', message: `auth provider gave no object of strings for ${kind}` });

  it.each(['subscribe', 'publish'] as const)('fails the %s with INVALID_CONFIG before anything is sent, and lets go of the connection', (kind) => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { lingerMs: 0 });
      h.client.subscribe('/default/keep').subscribe();
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
        const out = h.record(kind === 'subscribe' ? h.client.subscribe('/default/a', { auth: provider }) : h.client.publish('/default/a', [1], { auth: provider }));
        expect(out).toEqual([{ at: 10, error: refused(kind) }]);
        expect(h.socket(0).sent.filter((f) => f.type === kind && f.channel === '/default/a')).toEqual([]);
      });
      // The only use left is /default/keep: unsubscribing it closes the socket (linger 0).
      h.at(20, () => void h.client.unsubscribe('/default/keep'));
      h.at(30, () => {
        h.socket(0).receive({ type: 'unsubscribe_success', id: 'id1' });
        expect(h.client.toJSON().status).toBe('idle');
        h.client.close();
      });
    });
  });

  it('refuses the HTTP publish the same way, without calling fetch', async () => {
    const calls: unknown[] = [];
    const fetch: FetchLike = async (...args) => {
      calls.push(args);
      return { status: 200, text: async () => '' };
    };
    const publisher = createHttpPublisher({ httpEndpoint: 'http://127.0.0.1:1', auth: provider, fetch });
    await expect(firstValueFrom(publisher.publish('/default/a', [1]))).rejects.toEqual(refused('http-publish'));
    expect(calls).toEqual([]);
  });
});

it.each<[string, unknown]>([
  ['a string', 'x-api-key: da2-abc'],
  ['an object with a number', { 'x-trace': 1 }],
])('createEventsClient and createHttpPublisher refuse config headers that are %s', (_what, headers) => {
  const config = { httpEndpoint: 'https://example.appsync-api.eu-west-1.amazonaws.com/event', auth: apiKeyAuth('da2-headersheadersheadersheaders'), headers: headers as Record<string, string> };
  expect(() => createEventsClient(config)).toThrow(anError(ValidationError, { reason: 'INVALID_CONFIG', message: 'createEventsClient: config.headers must be an object of strings' }));
  expect(() => createHttpPublisher(config)).toThrow('createHttpPublisher: config.headers must be an object of strings');
});
