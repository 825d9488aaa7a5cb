/**
 * Marble tests of the races and re-entrant calls a review found: an application's callback that
 * closes the client or ends another operation while the SDK is in the middle of a transition, a
 * request that timed out while it was still waiting, a connection idled under a `connect()`.
 * Each test failed before its fix.
 */
import { Observable, Subscription, filter, forkJoin, repeat, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Authorization } from '../../src/protocol/messages';
import { ConnectionClosedError, PublishOutcomeUnknownError, TimeoutError } from '../../src/errors';
import { anError, createMarbleHarness, handled, type Recorded } from '../helpers/fake-socket';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const published = (h: ReturnType<typeof createMarbleHarness>, i: number): unknown[] =>
  h.socket(i).sent.filter((f) => f.type === 'publish').map((f) => f.channel);

describe('a publish that timed out', () => {
  it('is not sent once the connection comes up late', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { requestTimeoutMs: 100 });
      const out = h.record(h.client.publish('/default/a', [1]));
      h.at(200, () => h.accept(0));
      h.at(300, () => {
        expect(out).toEqual([{ at: 100, error: anError(TimeoutError, { operation: 'publish', timeoutMs: 100 }) }]);
        expect(published(h, 0)).toEqual([]);
        h.client.close();
      });
    });
  });

  it('is not sent again after a reconnect, even when idempotent, and lets go of its route', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { requestTimeoutMs: 100, retry: { random: () => 0 } });
      h.client.subscribe('/default/keep').subscribe({ error: () => undefined });
      const out = h.record(h.client.publish('/default/a', [1], { idempotent: true }));
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
      });
      h.at(300, () => h.socket(0).serverClose(1006));
      h.at(400, () => {
        h.accept(1);
        expect(out).toEqual([{ at: 100, error: anError(TimeoutError, { operation: 'publish', timeoutMs: 100 }) }]);
        expect(published(h, 0)).toEqual(['/default/a']);
        expect(published(h, 1)).toEqual([]);
        h.client.close();
      });
    });
  });
});

describe('close() from an observer of the connection', () => {
  it('on "reconnecting": no new socket, and the client stays closed', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 } });
      const states: string[] = [];
      h.client.connectionState$.subscribe((s) => {
        states.push(s.status);
        if (s.status === 'reconnecting') h.client.close();
      });
      h.client.subscribe('/default/a').subscribe({ error: () => undefined });
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).serverClose(1006));
      h.at(60_000, () => {
        expect(states).toEqual(['idle', 'connecting', 'connected', 'reconnecting', 'closed']);
        expect(h.client.toJSON().status).toBe('closed');
        expect(h.sockets).toHaveLength(1);
      });
    });
    expect(scheduler.actions).toHaveLength(0);
  });

  it('on "connecting": the socket is not opened', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      h.client.connectionState$.subscribe((s) => s.status === 'connecting' && h.client.close());
      const out = h.record(h.client.publish('/default/a', [1]));
      h.at(10, () => {
        expect(h.client.toJSON().status).toBe('closed');
        expect(h.sockets).toHaveLength(0);
        expect(out).toEqual([{ at: 0, error: anError(ConnectionClosedError, { operation: 'publish' }) }]);
      });
    });
    expect(scheduler.actions).toHaveLength(0);
  });

  it('on connection_ack (messages$): the client stays closed, with no watchdog left', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      h.client.messages$.pipe(filter((m) => m.type === 'connection_ack')).subscribe(() => h.client.close());
      const connected = handled(h.client.connect());
      connected.catch(() => undefined);
      h.at(10, () => h.accept(0));
      h.at(20, () => {
        expect(h.client.toJSON().status).toBe('closed');
        expect(h.socket(0).closedByClient).toBe(true);
      });
    });
    expect(scheduler.actions).toHaveLength(0);
  });
});

describe('client.close()', () => {
  it('does not let a repeat()-ed subscription subscribe again: it gets ConnectionClosedError', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      const out = h.record(h.client.subscribe('/default/a').pipe(repeat({ count: 500 })));
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
      });
      h.at(20, () => {
        h.client.close();
        expect(h.socket(0).sent.filter((f) => f.type === 'subscribe')).toHaveLength(1);
        expect(out).toEqual([{ at: 20, error: anError(ConnectionClosedError, { operation: 'subscribe' }) }]);
      });
    });
  });

  it('fails a publish waiting for its auth provider with ConnectionClosedError, and cancels the wait and its deadline', () => {
    let cancelled = false;
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { requestTimeoutMs: 100 });
      let out: Recorded<unknown>[] = [];
      // An auth provider that never answers, and says when its request is cancelled.
      const pending = new Observable<Authorization>(() => () => (cancelled = true));
      h.client.subscribe('/default/keep').subscribe({ error: () => undefined }); // opens the connection
      h.at(10, () => {
        h.accept(0);
        out = h.record(h.client.publish('/default/a', [1], { auth: () => pending }));
      });
      h.at(20, () => h.client.close());
      h.at(500, () => {
        expect(out).toEqual([{ at: 20, error: anError(ConnectionClosedError, { operation: 'publish' }) }]);
        expect(published(h, 0)).toEqual([]);
      });
    });
    expect(cancelled).toBe(true);
  });
});

describe('an application callback that ends another operation while a lost session is reported', () => {
  it('a subscription unsubscribed by a failing publish is released once: the connection still idles', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: false, lingerMs: 0 });
      let sub: Subscription | undefined;
      h.at(10, () => {
        h.client.publish('/default/p', [1]).subscribe({ error: () => sub?.unsubscribe() });
        sub = h.client.subscribe('/default/a').subscribe({ error: () => undefined });
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id2' });
      });
      h.at(20, () => h.socket(0).serverClose(1006));
      h.at(30, () => {
        const again = h.client.subscribe('/default/b').subscribe({ error: () => undefined });
        h.accept(1);
        h.socket(1).receive({ type: 'subscribe_success', id: 'id3' });
        again.unsubscribe();
        h.socket(1).receive({ type: 'unsubscribe_success', id: 'id3' });
        expect(h.socket(1).closedByClient).toBe(true);
        expect(h.client.toJSON().status).toBe('idle');
      });
    });
  });

  it('an idempotent publish cancelled by forkJoin is not sent again after the reconnect', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0 } });
      const errors: unknown[] = [];
      h.at(10, () => {
        forkJoin([h.client.publish('/default/a', [1]), h.client.publish('/default/b', [2], { idempotent: true })]).subscribe({ error: (e: unknown) => errors.push(e) });
        h.accept(0);
      });
      h.at(20, () => h.socket(0).serverClose(1006));
      h.at(30, () => {
        expect(errors).toEqual([anError(PublishOutcomeUnknownError, { channel: '/default/a' })]);
        h.accept(1); // the reconnection was decided while both were in flight
        expect(published(h, 1)).toEqual([]);
        h.client.close();
      });
    });
  });
});

describe('connect()', () => {
  it('keeps the connection it waits for: a lazy close (linger 0) does not strand it', async () => {
    let settled = 'pending';
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { lingerMs: 0 });
      const sub = h.client.subscribe('/default/a').subscribe();
      handled(h.client.connect()).then(
        () => (settled = 'resolved'),
        () => (settled = 'rejected'),
      );
      h.at(10, () => sub.unsubscribe()); // the only other use leaves while connecting
      h.at(20, () => h.accept(0));
      h.at(30, () => {
        expect(h.client.toJSON().status).toBe('connected');
        h.client.close();
      });
      return h;
    });
    await Promise.resolve();
    expect(settled).toBe('resolved');
    expect(h.sockets).toHaveLength(1);
  });
});

describe('local subscribers of one channel', () => {
  it('one that joins while an event is delivered gets the next event, not that one', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      h.client.subscribe('/default/a').subscribe(); // a second subscriber: the channel holds several
      let n = 0;
      h.client
        .subscribe('/default/a')
        .pipe(take(1), repeat({ count: 1000 }))
        .subscribe({ next: () => n++, error: () => undefined }); // close() ends it with ConnectionClosedError
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
      });
      h.at(20, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '1' }));
      h.at(21, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '2' }));
      h.at(30, () => {
        expect(n).toBe(2);
        h.client.close();
      });
    });
  });
});

describe('a socket the server is closing (close frame received, close event not yet)', () => {
  it('gets no new request: a publish waits for the next session and succeeds there, not "outcome unknown"', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0 } });
      h.client.subscribe('/default/keep').subscribe({ error: () => undefined });
      let out: Recorded<unknown>[] = [];
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
      });
      h.at(20, () => {
        h.socket(0).readyState = 2; // CLOSING: the server's close frame arrived
        out = h.record(h.client.publish('/default/a', [1]));
      });
      h.at(30, () => h.socket(0).serverClose(1001, 'going away'));
      h.at(40, () => {
        h.accept(1);
        expect(published(h, 0)).toEqual([]);
        expect(published(h, 1)).toEqual(['/default/a']);
        const id = h.socket(1).sent.find((f) => f.type === 'publish')?.id;
        h.socket(1).receive({ type: 'publish_success', id, successful: [{ identifier: 'x', index: 0 }], failed: [] });
        expect(out).toEqual([{ at: 40, next: { successful: [0], failed: [] } }, { at: 40, complete: true }]);
        h.client.close();
      });
    });
  });
});

describe('second review', () => {
  it('close(): a publish failed because it waited for its auth provider sees "closed", and one started from its error handler fails at once', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      h.client.subscribe('/default/keep').subscribe({ error: () => undefined, complete: () => undefined });
      let statusInHandler = '';
      let second: Recorded<unknown>[] = [];
      h.at(10, () => h.accept(0));
      h.at(20, () => {
        h.client.publish('/default/a', [1], { auth: () => new Observable<Authorization>() }).subscribe({
          error: () => {
            statusInHandler = h.client.toJSON().status;
            second = h.record(h.client.publish('/default/b', [2]));
          },
        });
        h.client.close();
        expect(statusInHandler).toBe('closed');
        expect(second).toEqual([{ at: 20, error: anError(ConnectionClosedError, { operation: 'publish' }) }]);
        expect(published(h, 0)).toEqual([]);
      });
    });
  });

  it('connect() while the socket is closing waits for the reconnection, instead of failing with a loss that is being retried', async () => {
    let outcome = 'pending';
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0 } });
      h.client.subscribe('/default/keep').subscribe({ error: () => undefined });
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
      });
      h.at(20, () => {
        h.socket(0).readyState = 2; // CLOSING
        handled(h.client.connect()).then(
          () => (outcome = 'resolved'),
          (e: Error) => (outcome = `rejected ${e.name}`),
        );
      });
      h.at(30, () => h.socket(0).serverClose(1001, 'going away'));
      h.at(40, () => h.accept(1));
      h.at(50, () => h.client.close());
    });
    await Promise.resolve();
    expect(outcome).toBe('resolved');
  });

  it.each([
    ['reconnecting', (s: { status: string }) => s.status === 'reconnecting', ['idle', 'connecting', 'connected', 'reconnecting', 'idle']],
    ['connecting (a retry)', (s: { status: string; attempt?: number }) => s.status === 'connecting' && s.attempt! > 1, ['idle', 'connecting', 'connected', 'reconnecting', 'connecting', 'idle']],
  ])('the last use leaving from an observer of "%s" (linger 0) opens no socket for nobody', (_what, when, expected) => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { lingerMs: 0, retry: { random: () => 0.5 } });
      let sub: Subscription | undefined;
      const states: string[] = [];
      h.client.connectionState$.subscribe((s) => {
        states.push(s.status);
        if (when(s)) sub?.unsubscribe();
      });
      sub = h.client.subscribe('/default/a').subscribe({ error: () => undefined });
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
      });
      h.at(20, () => h.socket(0).serverClose(1006));
      h.at(60_000, () => {
        expect({ states, sockets: h.sockets.length, status: h.client.toJSON().status }).toEqual({ states: expected, sockets: 1, status: 'idle' });
        h.client.close();
      });
    });
    expect(scheduler.actions).toHaveLength(0);
  });

  it('a keep-alive timeout longer than a timer can hold (ack connectionTimeoutMs 3e9) is waited in steps, not checked every millisecond', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      h.client.connect().catch(() => undefined);
      h.at(10, () => h.accept(0, 3_000_000_000));
      h.at(20, () => {
        // The only timer: the watchdog, due at 10 ms plus the longest delay a timer can hold.
        expect(scheduler.actions.map((a) => a.delay)).toEqual([10 + 2_147_483_647]);
        h.client.close();
      });
    });
  });

  it('a publish with timeoutMs: null uses the default, like an absent one', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { requestTimeoutMs: 100 });
      expectObservable(h.client.publish('/default/a', [1], { timeoutMs: null as unknown as number })).toBe('100ms #', undefined, anError(TimeoutError, { timeoutMs: 100 }));
      h.at(200, () => h.client.close());
    });
  });
});

it('a parsed subscriber that a raw subscriber adds from its next gets the next event, not that one', () => {
  scheduler.run(() => {
    const h = createMarbleHarness(scheduler);
    const late: unknown[] = [];
    let added = false;
    h.client.subscribe('/default/a').subscribe(); // a parsed subscriber already there
    h.client.subscribeMessages('/default/a').subscribe(() => {
      if (!added) {
        added = true;
        h.client.subscribe('/default/a').subscribe((v) => late.push(v));
      }
    });
    h.at(10, () => {
      h.accept(0);
      h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
      h.socket(0).receive({ type: 'data', id: 'id1', event: '1' });
      h.socket(0).receive({ type: 'data', id: 'id1', event: '2' });
      expect(late).toEqual([2]);
      h.client.close();
    });
  });
});
