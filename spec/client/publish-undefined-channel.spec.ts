/**
 * (Found by a review, 29 Nov 2026; each test failed before the fix.) `preparePublish` remembers the last valid channel string in a module variable
 * (`lastChannel`) that starts as `undefined`. Until one publish with a valid channel has happened in
 * the process, a publish whose channel is `undefined` (a missing config value, an unset environment
 * variable in JavaScript) matches the "same channel as last time" shortcut, skips validation, and
 * goes out with `channel: ""` instead of failing with `ValidationError` (`INVALID_CHANNEL`) before
 * anything is sent.
 *
 * Every test in this file relies on a fresh module registry (Jest gives one per file): no test here
 * may publish to a valid channel first.
 */
import { firstValueFrom } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ValidationError } from '../../src/errors';
import { createHttpPublisher, type FetchLike } from '../../src/http';
import { apiKeyAuth } from '../../src/auth/api-key';
import { preparePublish } from '../../src/operations/events';
import { createMarbleHarness, type Recorded } from '../helpers/fake-socket';

const NO_CHANNEL = undefined as unknown as string;

describe('publishing with an undefined channel before any valid publish', () => {
  it('preparePublish(undefined) throws ValidationError INVALID_CHANNEL (it returned channel "")', () => {
    let outcome: unknown;
    try {
      outcome = preparePublish(NO_CHANNEL, [1]);
    } catch (e) {
      outcome = e;
    }
    expect(outcome).toBeInstanceOf(ValidationError);
    expect(outcome).toMatchObject({ reason: 'INVALID_CHANNEL' });
  });

  it('WebSocket publish(undefined) fails with ValidationError and sends no publish frame', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    let recorded: Recorded<unknown>[] = [];
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      recorded = h.record(h.client.publish(NO_CHANNEL, [{ text: 'hi' }]));
      // If a socket was opened (it should not be), let it connect so that a frame would show up.
      h.at(10, () => h.sockets[0]?.open());
      h.at(10, () => h.sockets[0]?.receive({ type: 'connection_ack', connectionTimeoutMs: 300000 }));
      h.at(30, () => h.client.close());
      return h;
    });
    const publishFrames = h.sockets.flatMap((s) => s.sent).filter((f) => f.type === 'publish');
    expect(publishFrames).toEqual([]);
    expect(recorded[0]).toEqual({ at: 0, error: expect.any(ValidationError) });
    expect((recorded[0] as { error: ValidationError }).error.reason).toBe('INVALID_CHANNEL');
  });

  it('HTTP publish(undefined) fails with ValidationError and never calls fetch', async () => {
    const bodies: string[] = [];
    const fetch: FetchLike = async (_url, init) => {
      bodies.push(init.body);
      return { status: 200, text: async () => '{"successful":[{"identifier":"x","index":0}],"failed":[]}' };
    };
    const publisher = createHttpPublisher({ httpEndpoint: 'http://127.0.0.1:1', auth: apiKeyAuth('da2-reviewreviewreviewreview00'), fetch });
    const outcome = await firstValueFrom(publisher.publish(NO_CHANNEL, [1])).catch((e: unknown) => e);
    expect(bodies).toEqual([]); // was: ['{"channel":"","events":["1"]}']
    expect(outcome).toBeInstanceOf(ValidationError);
    expect(outcome).toMatchObject({ reason: 'INVALID_CHANNEL' });
  });
});
