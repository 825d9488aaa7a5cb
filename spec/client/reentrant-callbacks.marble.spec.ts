/**
 * Application code that runs inside the client's transitions and starts or ends operations there:
 * an auth provider that ends its own operation and answers later, a subscriber added from a
 * `subscribed$` observer, a `retry()` or a state observer reacting to a terminal failure, a publish
 * from a subscriber's `complete` during `close()`. Each test failed before its fix (found by a
 * review, 29 Nov 2026).
 */
import { Observable, asapScheduler, observeOn, retry } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { SubscribedEvent } from '../../src/operations/subscriptions';
import type { Authorization } from '../../src/protocol/messages';
import { ConnectionClosedError } from '../../src/errors';
import { anError, createMarbleHarness, handled, type Recorded } from '../helpers/fake-socket';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

/** An auth answer that never comes, and counts its cancellations. */
function never(counter: { cancelled: number }): Observable<Authorization> {
  return new Observable<Authorization>(() => () => void counter.cancelled++);
}

describe('an operation ended by its own auth provider, which then answers asynchronously', () => {
  // The provider's pending answer used to be kept, and the ended operation added to the waiting
  // set, after it ended: nothing ever cancelled that wait.
  it('subscription: the provider unsubscribes its channel, then answers later; its wait is cancelled (by close() at the latest)', () => {
    const counter = { cancelled: 0 };
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      h.client.subscribe('/default/keep').subscribe();
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
        const out = h.record(
          h.client.subscribe('/default/a', {
            auth: () => {
              void handled(h.client.unsubscribe('/default/a'));
              return never(counter);
            },
          }),
        );
        expect(out).toEqual([{ at: 10, complete: true }]);
      });
      h.at(20, () => h.client.close());
    });
    // (An unsubscribe after the provider returned does cancel it: 1.)
    expect(counter.cancelled).toBe(1);
  });

  it('publish: the provider cancels the publish on its second request (6 events), then answers later; its wait is cancelled', () => {
    const counter = { cancelled: 0 };
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      h.client.subscribe('/default/keep').subscribe();
      let calls = 0;
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
        const sub = h.client
          .publish('/default/a', [1, 2, 3, 4, 5, 6], {
            auth: () => {
              if (++calls === 1) return { host: 'h', 'x-api-key': 'k' };
              sub.unsubscribe(); // e.g. a takeUntil(signOut$) the provider triggers
              return never(counter);
            },
          })
          .subscribe();
        h.socket(0).receive({ type: 'publish_success', id: 'id2', successful: [0, 1, 2, 3, 4].map((index) => ({ identifier: `e${index}`, index })), failed: [] });
        expect(calls).toBe(2);
      });
      h.at(20, () => h.client.close());
    });
    expect(counter.cancelled).toBe(1);
  });
});

describe('onSubscribed', () => {
  // `subscribed$` is told before the callbacks: a subscriber added from its observer (the
  // subscription already live) used to be told at once, then again of the same confirmation.
  it('a subscriber that joins from a subscribed$ observer is called once for that establishment', () => {
    const told: SubscribedEvent[] = [];
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 } });
      h.client.subscribe('/default/a').subscribe();
      h.client.subscribed$.subscribe((e) => {
        if (e.resubscribed) h.client.subscribe('/default/a', { onSubscribed: (x) => told.push(x) }).subscribe();
      });
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
        h.socket(0).serverClose(1006); // socket 1 at 110
      });
      h.at(120, () => {
        h.accept(1);
        h.socket(1).receive({ type: 'subscribe_success', id: 'id2' });
        h.client.close();
      });
    });
    expect(told).toEqual([{ channel: '/default/a', resubscribed: false }]);
  });
});

describe('a terminal failure: an operation started while it is reported', () => {
  // The routed operations are told first, then the state is `closed`, then the waiters. An operation
  // started from an observer of `closed` opens a new connection, and the waiters wait for it. One
  // started synchronously from a failed operation's error handler gets the same error (the
  // connection is not at rest yet): a `retry` with a delay starts a fresh attempt
  // (docs/reliability.md).
  it('retry({ delay }) on a subscription opens a new connection after the failure', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: false });
      const out = h.record(h.client.subscribe('/default/a').pipe(retry({ count: 1, delay: 5 })));
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
      });
      h.at(20, () => h.socket(0).serverClose(1006));
      h.at(30, () => {
        expect(out).toEqual([]);
        expect(h.sockets).toHaveLength(2);
        h.accept(1);
        expect(h.socket(1).sent.filter((f) => f.type === 'subscribe')).toHaveLength(1);
        h.client.close();
      });
    });
  });

  it('a subscription started by an observer of the terminal "closed" state is not failed with that error (its socket is opened)', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: false });
      let again: Recorded<unknown>[] | undefined;
      h.client.connectionState$.subscribe((s) => {
        if (s.status === 'closed' && s.error && !again) again = h.record(h.client.subscribe('/default/again'));
      });
      h.client.subscribe('/default/a').subscribe({ error: () => undefined });
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).serverClose(1006));
      h.at(30, () => {
        expect(h.sockets).toHaveLength(2);
        expect(again).toEqual([]);
        h.client.close();
      });
    });
  });

  it('an observer of the terminal "closed" state that joins a channel still waiting for its first connection opens a new socket; no subscriber gets the stale error', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: false });
      let again: Recorded<unknown>[] | undefined;
      h.client.connectionState$.subscribe((s) => {
        if (s.status === 'closed' && s.error && !again) again = h.record(h.client.subscribe('/default/a'));
      });
      const first = h.record(h.client.subscribe('/default/a'));
      h.at(10, () => h.socket(0).fail('ECONNREFUSED')); // the first attempt fails, terminally (retry: false)
      h.at(20, () => {
        expect(h.sockets).toHaveLength(2);
        expect([first, again]).toEqual([[], []]);
        h.accept(1);
        const subscribes = h.socket(1).sent.filter((f) => f.type === 'subscribe');
        expect(subscribes.map((f) => f.channel)).toEqual(['/default/a']); // one wire subscription for both
        h.socket(1).receive({ type: 'data', id: subscribes[0]!.id, event: '1' });
        expect([first, again]).toEqual([[{ at: 20, next: 1 }], [{ at: 20, next: 1 }]]);
        h.client.close();
      });
    });
  });

  it('a subscriber that an earlier waiter\'s error handler adds to a channel still waiting opens a new connection, and the channel\'s subscribers wait for it instead of getting the stale error', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: false });
      let joined: Recorded<unknown>[] | undefined;
      // /default/a waits first, so it is told first; its error handler joins /default/b, still waiting.
      h.client.subscribe('/default/a').subscribe({ error: () => void (joined ??= h.record(h.client.subscribe('/default/b'))) });
      const b = h.record(h.client.subscribe('/default/b'));
      h.at(10, () => h.socket(0).fail('ECONNREFUSED')); // the first attempt fails, terminally (retry: false)
      h.at(20, () => {
        expect(h.sockets).toHaveLength(2);
        expect([b, joined]).toEqual([[], []]);
        h.accept(1);
        const subscribes = h.socket(1).sent.filter((f) => f.type === 'subscribe');
        expect(subscribes.map((f) => f.channel)).toEqual(['/default/b']);
        h.socket(1).receive({ type: 'data', id: subscribes[0]!.id, event: '2' });
        expect([b, joined]).toEqual([[{ at: 20, next: 2 }], [{ at: 20, next: 2 }]]);
        h.client.close();
      });
    });
  });
});

it('a publish started from a subscriber\'s complete handler during close() fails with ConnectionClosedError, and nothing is sent', () => {
  scheduler.run(() => {
    const h = createMarbleHarness(scheduler);
    let late: Recorded<unknown>[] | undefined;
    h.client.subscribe('/default/a').subscribe({ complete: () => (late = h.record(h.client.publish('/default/b', [1]))) });
    h.at(10, () => {
      h.accept(0);
      h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
      h.client.close();
      expect(late).toEqual([{ at: 10, error: anError(ConnectionClosedError, { operation: 'publish' }) }]);
      expect(h.socket(0).sent.filter((f) => f.type === 'publish')).toEqual([]);
    });
  });
});

it('retry(1) on a publish that waited for a connection whose attempt failed for good: the retry opens a new connection (the state is closed when waiters are told)', () => {
  scheduler.run(() => {
    const h = createMarbleHarness(scheduler, { retry: false });
    const out = h.record(h.client.publish('/default/a', [1]).pipe(retry(1)));
    h.at(10, () => h.socket(0).fail('ECONNREFUSED')); // the first attempt fails, terminally (retry: false)
    h.at(20, () => {
      expect(out).toEqual([]);
      expect(h.sockets).toHaveLength(2);
      h.accept(1);
      const frame = h.socket(1).sent.find((f) => f.type === 'publish');
      h.socket(1).receive({ type: 'publish_success', id: frame?.id, successful: [{ identifier: 'e', index: 0 }], failed: [] });
      expect(out).toEqual([{ at: 20, next: { successful: [0], failed: [] } }, { at: 20, complete: true }]);
      h.client.close();
    });
  });
});

it("connect() while the server closes a lingering socket (the close frame in, the close event not yet) opens a new connection instead of hanging", () => {
  let connected: unknown;
  scheduler.run(() => {
    const h = createMarbleHarness(scheduler);
    const sub = h.client.subscribe('/default/a').subscribe();
    h.at(10, () => {
      h.accept(0);
      h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
      sub.unsubscribe();
      h.socket(0).receive({ type: 'unsubscribe_success', id: 'id1' }); // lingering now
    });
    h.at(50, () => {
      h.socket(0).readyState = 2; // CLOSING: the server's close frame arrived
      handled(h.client.connect()).then((state) => (connected = state), (e: unknown) => (connected = e));
    });
    h.at(60, () => h.socket(0).serverClose(1006)); // the close event
    h.at(70, () => {
      expect(h.sockets).toHaveLength(2);
      h.accept(1);
    });
    h.at(80, () => h.client.close());
  });
  // The promise settles in a microtask, after run().
  return Promise.resolve().then(() => expect(connected).toMatchObject({ status: 'connected' }));
});

it('connectionState$ observed with observeOn(asapScheduler) (docs/reliability.md): what it starts on closed(error) reaches later observers after closed', () => {
  const later: string[] = [];
  scheduler.run(() => {
    const h = createMarbleHarness(scheduler, { retry: false });
    let again = false;
    h.client.connectionState$.pipe(observeOn(asapScheduler)).subscribe((s) => {
      if (s.status === 'closed' && !again) {
        again = true;
        h.client.subscribe('/default/again').subscribe({ error: () => undefined });
      }
    });
    h.client.connectionState$.subscribe((s) => later.push(s.status));
    h.client.subscribe('/default/a').subscribe({ error: () => undefined });
    h.at(10, () => h.accept(0));
    h.at(20, () => h.socket(0).serverClose(1006));
    h.at(30, () => {
      expect(h.sockets).toHaveLength(2);
      h.client.close();
    });
  });
  expect(later).toEqual(['idle', 'connecting', 'connected', 'closed', 'connecting', 'closed']);
});
