/**
 * Operations that wait outside the router: for their auth provider's answer, or for a
 * resubscription's retry delay (resubscribe-auth.marble.spec.ts). A terminal failure of the
 * connection ends them like the routed ones, and an auth provider (application code) that ends its
 * own operation before answering does not revive it. Each test failed before its fix.
 */
import { Subject, takeUntil } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ConnectionError } from '../../src/errors';
import { lambdaAuth } from '../../src/auth/lambda';
import type { EventsClientConfig } from '../../src/client';
import type { ConnectionState } from '../../src/connection/state';
import { anError, createMarbleHarness, type MarbleHarness, type Recorded } from '../helpers/fake-socket';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

/**
 * Like the setup of resubscribe-auth.marble.spec.ts: /default/a is subscribed with a token getter
 * (`getter`, or one that throws from the resubscription on), established on socket 0 at 10, lost at
 * 10; with `random: 0.5` socket 1 opens at 110 and is acknowledged at 120, where the resubscription's
 * provider fails: tried again at 220.
 */
function setup(config: Partial<EventsClientConfig> = {}, getter?: (h: MarbleHarness, calls: number) => string) {
  let resubscribing = false;
  let calls = 0;
  const h: MarbleHarness = createMarbleHarness(scheduler, { requestTimeoutMs: 1000, retry: { random: () => 0.5 }, ...config });
  const auth = lambdaAuth(() => {
    if (!resubscribing) return 'token';
    calls++;
    if (getter) return getter(h, calls);
    throw new Error('offline');
  });
  const out = h.record(h.client.subscribe('/default/a', { auth }));
  const states: Recorded<ConnectionState>[] = h.record(h.client.connectionState$);
  h.at(10, () => {
    h.accept(0);
    h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
    h.socket(0).serverClose(1006);
    resubscribing = true;
  });
  h.at(120, () => h.accept(1));
  const subscribes = (i: number) => h.socket(i).sent.filter((f) => f.type === 'subscribe');
  return { h, out, states, subscribes };
}

it('a terminal connection failure during the backoff delay ends the subscription, like the other channels; no new connection is opened', () => {
  scheduler.run(() => {
    // maxAttempts 1: the loss at 10 is the connection's failure 1 (retried), the loss at 150 its failure 2 (terminal).
    const { h, out, states } = setup({ retry: { random: () => 0.5, maxAttempts: 1 } });
    const other = h.record(h.client.subscribe('/default/b')); // default (API key) auth: resubscribed at 120
    h.at(150, () => h.socket(1).serverClose(1006));
    h.at(151, () => {
      expect(states.at(-1)).toMatchObject({ at: 150, next: { status: 'closed', error: anError(ConnectionError) } });
      expect(other).toEqual([{ at: 150, error: anError(ConnectionError) }]);
    });
    h.at(500, () => {
      // (It used to hear nothing, and at 220 its delay ended and started a new connection series:
      // state `connecting`, a third socket, after the terminal `closed`.)
      expect(out).toEqual([{ at: 150, error: anError(ConnectionError) }]);
      expect(states.at(-1)).toMatchObject({ at: 150, next: { status: 'closed' } });
      expect(h.sockets).toHaveLength(2);
      h.client.close();
    });
  });
  expect(scheduler.actions).toHaveLength(0);
});

it('a provider that unsubscribes its channel (then answers) on the retry does not revive it: no subscribe frame, no subscribed$', () => {
  let unsubscribed: Promise<unknown> | undefined;
  scheduler.run(() => {
    // Call 1 (at 120) fails; call 2 (at 220, the retry) lets go of the channel, then answers.
    const { h, out, subscribes } = setup({}, (h, calls) => {
      if (calls === 1) throw new Error('offline');
      unsubscribed = h.client.unsubscribe('/default/a').then(() => 'done', (e: unknown) => e);
      return 'token';
    });
    const subscribed = h.record(h.client.subscribed$);
    h.at(221, () => {
      expect(out).toEqual([{ at: 220, complete: true }]);
      // (It used to be sent at 220 and routed; its success emitted subscribed$.)
      expect(subscribes(1)).toEqual([]);
      const frame = subscribes(1)[0];
      if (frame) h.socket(1).receive({ type: 'subscribe_success', id: frame.id });
      expect(subscribed.map((s) => s.at)).toEqual([10]);
      h.client.close();
    });
  });
  return expect(unsubscribed).resolves.toBe('done');
});

it('... nor release the connection twice: a later channel is still resubscribed after a drop', () => {
  scheduler.run(() => {
    const { h, subscribes } = setup({}, (h, calls) => {
      if (calls === 1) throw new Error('offline');
      void h.client.unsubscribe('/default/a');
      return 'token';
    });
    h.at(221, () => {
      const frame = subscribes(1)[0];
      if (frame) h.socket(1).receive({ type: 'subscribe_success', id: frame.id });
    });
    // The linger (1000 ms) closes socket 1 at 1220. A new channel at 1300, on socket 2.
    let c: Recorded<unknown>[] = [];
    h.at(1300, () => {
      expect(h.client.toJSON().status).toBe('idle');
      c = h.record(h.client.subscribe('/default/c'));
    });
    h.at(1310, () => {
      h.accept(2);
      h.socket(2).receive({ type: 'subscribe_success', id: subscribes(2)[0]?.id });
      h.socket(2).serverClose(1006); // transient: /default/c should be kept and resubscribed
    });
    h.at(1500, () => {
      // (The revived subscription's second release used to leave the use count at -1: /default/c
      // never held the connection, the drop was not retried and /default/c errored.)
      expect(c).toEqual([]);
      expect(h.client.toJSON().status).not.toBe('idle');
      h.client.close();
    });
  });
});

it('an operation waiting for its (asynchronous) auth provider when the connection fails for good ends with that error, and opens nothing later', () => {
  scheduler.run(() => {
    let answer: ((token: string) => void) | undefined;
    const slow = lambdaAuth(() => new Promise<string>((resolve) => (answer = resolve)));
    const h = createMarbleHarness(scheduler, { retry: false });
    const states = h.record(h.client.connectionState$);
    const kept = h.record(h.client.subscribe('/default/kept'));
    const out = h.record(h.client.publish('/default/a', [1], { auth: slow }));
    h.at(10, () => {
      h.accept(0);
      h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
    });
    h.at(20, () => h.socket(0).serverClose(1006)); // retry: false, so terminal
    h.at(30, () => {
      expect(out).toEqual([{ at: 20, error: anError(ConnectionError) }]);
      expect(kept).toEqual([{ at: 20, error: anError(ConnectionError) }]);
      answer?.('token'); // too late: nothing is sent, no connection is opened
    });
    h.at(100, () => {
      expect(states.at(-1)).toMatchObject({ at: 20, next: { status: 'closed' } });
      expect(h.sockets).toHaveLength(1);
      h.client.close();
    });
  });
  expect(scheduler.actions).toHaveLength(0);
});

it('a publish cancelled by its own auth provider (a takeUntil it triggers) is not sent', () => {
  scheduler.run(() => {
    const stop = new Subject<void>();
    const h = createMarbleHarness(scheduler);
    const auth = lambdaAuth(() => {
      stop.next();
      return 'token';
    });
    h.client.subscribe('/default/keep').subscribe(); // keeps the connection open
    h.at(10, () => {
      h.accept(0);
      const out = h.record(h.client.publish('/default/a', [1], { auth }).pipe(takeUntil(stop)));
      expect(out).toEqual([{ at: 10, complete: true }]);
      expect(h.socket(0).sent.filter((f) => f.type === 'publish')).toEqual([]);
      h.client.close();
    });
  });
});
