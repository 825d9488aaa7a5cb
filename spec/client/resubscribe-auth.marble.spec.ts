/**
 * Marble tests of a resubscription whose auth provider fails: it follows the client's
 * reconnection policy (backoff, `maxAttempts`, `shouldRetry`), reports each failure on
 * `protocolErrors$` and keeps its local subscribers; a first subscription still fails at once.
 */
import { TestScheduler } from 'rxjs/testing';
import type { AppSyncEventsError } from '../../src/errors';
import { ValidationError } from '../../src/errors';
import { lambdaAuth } from '../../src/auth/lambda';
import type { EventsClientConfig } from '../../src/client';
import { anError, createMarbleHarness, type Recorded } from '../helpers/fake-socket';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

/**
 * A channel subscribed with a token getter that answers `'token'`, or fails while `failing` says
 * so (from the resubscription on): throws (`'throw'`, retryable) or gives an empty token
 * (`'empty'`, a configuration error).
 * Socket 0 is acknowledged and the subscription established at 10; the server drops it at 10, and
 * with `random: 0.5` the client reconnects at 110 (socket 1, acknowledged at `ackAt`).
 */
function setup(failing: 'throw' | 'empty', config: Partial<EventsClientConfig> = {}, ackAt = 120) {
  const mode: { failing: 'no' | 'throw' | 'empty' } = { failing: 'no' };
  const auth = lambdaAuth(() => {
    if (mode.failing === 'throw') throw new Error('offline');
    return mode.failing === 'empty' ? '' : 'token';
  });
  const h = createMarbleHarness(scheduler, { requestTimeoutMs: 1000, retry: { random: () => 0.5 }, ...config });
  const out = h.record(h.client.subscribe('/default/a', { auth }));
  const reported: Recorded<AppSyncEventsError>[] = h.record(h.client.protocolErrors$);
  const subscribed = h.record(h.client.subscribed$);
  h.at(10, () => {
    h.accept(0);
    h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
    h.socket(0).serverClose(1006);
    mode.failing = failing; // from the resubscription on
  });
  h.at(ackAt, () => h.accept(1));
  const subscribes = (i: number) => h.socket(i).sent.filter((f) => f.type === 'subscribe');
  return { h, mode, out, reported, subscribed, subscribes };
}

const providerFailed = anError(ValidationError, { reason: 'AUTH_PROVIDER_FAILED' });

it('a resubscription whose provider fails is tried again after a backoff delay, and its subscribers stay', () => {
  scheduler.run(() => {
    const { h, mode, out, reported, subscribed, subscribes } = setup('throw');
    h.at(121, () => {
      expect(subscribes(1)).toEqual([]);
      expect(reported).toEqual([{ at: 120, next: providerFailed }]);
      mode.failing = 'no';
    });
    // Attempt 1: a delay of 0.5 × 200 ms.
    // (Steps at 221: one at 220 would run before the client's own timer of that frame.)
    h.at(219, () => expect(subscribes(1)).toEqual([]));
    h.at(221, () => {
      const [frame] = subscribes(1);
      expect(frame).toMatchObject({ channel: '/default/a', authorization: { Authorization: 'token' } });
      h.socket(1).receive({ type: 'subscribe_success', id: frame?.id });
      h.socket(1).receive({ type: 'data', id: frame?.id, event: '7' });
    });
    h.at(300, () => {
      expect(out).toEqual([{ at: 221, next: 7 }]);
      expect(subscribed.map((s) => ('next' in s ? s.next : s))).toEqual([
        { channel: '/default/a', resubscribed: false },
        { channel: '/default/a', resubscribed: true },
      ]);
      expect(reported).toHaveLength(1);
      h.client.close();
    });
  });
  expect(scheduler.actions).toHaveLength(0);
});

it('gives up after maxAttempts failures in a row, with the last error', () => {
  scheduler.run(() => {
    const { h, out, reported, subscribes } = setup('throw', { retry: { random: () => 0.5, maxAttempts: 2 } });
    // Failures at 120 (then 100 ms), 220 (then 200 ms) and 420: the third ends it.
    h.at(500, () => {
      expect(reported.map((r) => r.at)).toEqual([120, 220]);
      expect(out).toEqual([{ at: 420, error: providerFailed }]);
      expect(subscribes(1)).toEqual([]);
      h.client.close();
    });
  });
  expect(scheduler.actions).toHaveLength(0);
});

it('counts failures in a row only: a success starts the count again', () => {
  scheduler.run(() => {
    // resetAfterMs 0: each reconnection is the connection's attempt 1 (a delay of 100 ms).
    const { h, mode, out, reported, subscribes } = setup('throw', { retry: { random: () => 0.5, maxAttempts: 1, resetAfterMs: 0 } });
    h.at(150, () => (mode.failing = 'no'));
    h.at(221, () => {
      h.socket(1).receive({ type: 'subscribe_success', id: subscribes(1)[0]?.id });
      mode.failing = 'throw';
      h.socket(1).serverClose(1006); // socket 2 at 321
    });
    h.at(330, () => h.accept(2)); // fails (one in a row), tried again 100 ms later
    h.at(400, () => (mode.failing = 'no'));
    h.at(431, () => {
      expect(subscribes(2)).toHaveLength(1);
      expect(reported.map((r) => r.at)).toEqual([120, 330]);
      expect(out).toEqual([]);
      h.client.close();
    });
  });
});

it('follows shouldRetry: a veto ends the subscription with the error at once', () => {
  scheduler.run(() => {
    const seen: AppSyncEventsError[] = [];
    const shouldRetry = (e: AppSyncEventsError) => {
      seen.push(e);
      return !(e instanceof ValidationError);
    };
    const { h, out, reported } = setup('throw', { retry: { random: () => 0.5, shouldRetry } });
    h.at(200, () => {
      expect(out).toEqual([{ at: 120, error: providerFailed }]);
      expect(seen.at(-1)).toBe((out[0] as { error: unknown }).error);
      expect(reported).toEqual([]);
      h.client.close();
    });
  });
});

it('is not retried when the provider answers with no token (a configuration error)', () => {
  scheduler.run(() => {
    const { h, out, reported } = setup('empty');
    h.at(200, () => {
      expect(out).toEqual([{ at: 120, error: anError(ValidationError, { reason: 'INVALID_CONFIG' }) }]);
      expect(reported).toEqual([]);
      h.client.close();
    });
  });
});

it('a first subscription whose provider fails still fails at once (the application sees it)', () => {
  scheduler.run(() => {
    const auth = lambdaAuth(() => {
      throw new Error('offline');
    });
    const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 } });
    const out = h.record(h.client.subscribe('/default/a', { auth }));
    const reported = h.record(h.client.protocolErrors$);
    h.at(10, () => h.accept(0));
    h.at(20, () => {
      expect(out).toEqual([{ at: 10, error: providerFailed }]);
      expect(reported).toEqual([]);
      h.client.close();
    });
  });
});

it('waits for the next session when the connection is lost during the delay', () => {
  scheduler.run(() => {
    const { h, mode, out, subscribes } = setup('throw', { retry: { random: () => 0.5, resetAfterMs: 0 } });
    h.at(150, () => {
      mode.failing = 'no';
      h.socket(1).serverClose(1006); // socket 2 at 250
    });
    h.at(300, () => {
      expect(subscribes(1)).toEqual([]);
      expect(subscribes(2)).toEqual([]); // the delay ended at 220, with no session yet
      h.accept(2);
      const [frame] = subscribes(2);
      expect(frame).toMatchObject({ channel: '/default/a' });
      h.socket(2).receive({ type: 'subscribe_success', id: frame?.id });
      h.socket(2).receive({ type: 'data', id: frame?.id, event: '1' });
      expect(out).toEqual([{ at: 300, next: 1 }]);
      h.client.close();
    });
  });
});

it('the last subscriber leaving during the delay cancels it: nothing is sent, the connection is let go', async () => {
  let unsubscribed: Promise<unknown> | undefined; // settles with 'done' or the error
  scheduler.run(() => {
    const { h, out, subscribes } = setup('throw', { lingerMs: 0 });
    // The only subscriber of /default/a is the harness's recorder: ended through unsubscribe(channel).
    h.at(150, () => (unsubscribed = h.client.unsubscribe('/default/a').then(() => 'done', (e: unknown) => e)));
    h.at(1_000, () => {
      expect(out).toEqual([{ at: 150, complete: true }]);
      expect(subscribes(1)).toEqual([]);
      expect(h.socket(1).readyState).toBe(3); // closed: nothing uses the connection
      expect(h.client.toJSON().status).toBe('idle');
    });
  });
  expect(scheduler.actions).toHaveLength(0);
  expect(await unsubscribed).toBe('done');
});

it('close() during the delay completes the subscribers and leaves no timer', () => {
  scheduler.run(() => {
    const { h, out } = setup('throw');
    h.at(150, () => h.client.close());
    h.at(1_000, () => expect(out).toEqual([{ at: 150, complete: true }]));
  });
  expect(scheduler.actions).toHaveLength(0);
});

it('an observer of protocolErrors$ that unsubscribes from the report leaves no delay behind', async () => {
  let unsubscribed: Promise<unknown> | undefined; // settles with 'done' or the error
  scheduler.run(() => {
    const { h, subscribes } = setup('throw', { lingerMs: 0 });
    const inner = h.client.subscribe('/default/a').subscribe();
    h.client.protocolErrors$.subscribe(() => {
      if (unsubscribed) return;
      inner.unsubscribe();
      unsubscribed = h.client.unsubscribe('/default/a').then(() => 'done', (e: unknown) => e);
    });
    h.at(1_000, () => {
      expect(subscribes(1)).toEqual([]);
      expect(h.client.toJSON().status).toBe('idle');
    });
  });
  expect(scheduler.actions).toHaveLength(0);
  expect(await unsubscribed).toBe('done');
});
