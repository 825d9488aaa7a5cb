/** Delays a timer cannot hold (over 2^31 − 1 ms run at once): refused, or capped. */
import { TestScheduler } from 'rxjs/testing';
import { backoffDelay, resolveRetryOptions } from '../../src/connection/retry';
import { createEventsClient, apiKeyAuth } from '../../src';
import { anError, createMarbleHarness } from '../helpers/fake-socket';
import { ValidationError } from '../../src/errors';

it.each([['requestTimeoutMs'], ['connectTimeoutMs'], ['keepAliveTimeoutMs'], ['lingerMs']])('createEventsClient refuses a %s over 2147483647 ms, and one that is not a number', (option) => {
  const base = { httpEndpoint: 'http://127.0.0.1:1', auth: apiKeyAuth('k') };
  for (const value of [2 ** 31, Infinity, '1000'])
    expect(() => createEventsClient({ ...base, [option]: value })).toThrow(expect.objectContaining({ reason: 'INVALID_CONFIG', message: expect.stringContaining(`${option} must be a number`) }) as unknown as Error);
});

it('caps the backoff delay at what a timer can hold, however large maxDelayMs', () => {
  const options = resolveRetryOptions({ maxDelayMs: Infinity, random: () => 0.999 });
  expect(backoffDelay(options, 40)).toBe(Math.floor(0.999 * 2_147_483_647));
});

it("refuses a WebSocket publish's invalid timeoutMs with ValidationError, before anything is sent", () => {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run(({ expectObservable }) => {
    const h = createMarbleHarness(scheduler);
    h.client.subscribe('/default/keep').subscribe();
    for (const timeoutMs of [Infinity, -1, NaN, 2 ** 31])
      expectObservable(h.client.publish('/default/a', [1], { timeoutMs })).toBe('#', undefined, anError(ValidationError, { reason: 'INVALID_ARGUMENT' }));
    h.at(10, () => {
      h.accept(0);
      h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
      expect(h.socket(0).sent.filter((f) => f.type === 'publish')).toEqual([]);
      h.client.close();
    });
  });
});
