/**
 * Marble tests of channel subscriptions at the frame level, in virtual time on a fake socket:
 * subscribe/unsubscribe frames, server replies, request timeouts, ref-counting, unsubscribe(channel),
 * broadcast errors and resubscription after a reconnect.
 */
import type { Subscription } from 'rxjs';
import { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { AuthProvider } from '../../src/auth/types';
import type { Authorization } from '../../src/protocol/messages';
import { ChannelNotSubscribedError, ServerError, TimeoutError, UnauthorizedError, ValidationError } from '../../src/errors';
import type { SubscribedEvent } from '../../src/operations/subscriptions';
import { AUTH, HTTP_HOST, anError, createMarbleHarness, handled } from '../helpers/fake-socket';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const subscribeFrame = (id: string, channel: string, authorization: Authorization = AUTH) => ({ type: 'subscribe', id, channel, authorization });
const init = { type: 'connection_init' };

/** An auth provider that hands out a new token on every call (token-1, token-2, …). */
function countingAuth(): { auth: AuthProvider; calls: string[] } {
  const calls: string[] = [];
  const auth: AuthProvider = (request) => {
    calls.push(request.kind);
    return { host: request.host, Authorization: `token-${calls.length}` };
  };
  return { auth, calls };
}
const token = (n: number) => ({ host: HTTP_HOST, Authorization: `token-${n}` });

/** Settles pending Promise callbacks (no timers involved). */
async function microtasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('subscribe', () => {
  it('sends subscribe with id, channel and authorization after the ack; after subscribe_success data frames arrive parsed', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.subscribe('default/a')).toBe('20ms a 9ms b 9ms c 9ms |', { a: { text: 'hi' }, b: 42, c: null });
      h.at(10, () => {
        h.accept(0);
        expect(h.socket(0).sent).toEqual([init, subscribeFrame('id1', '/default/a')]);
      });
      h.at(15, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(20, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '{"text":"hi"}' }));
      h.at(30, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '42' }));
      h.at(40, () => h.socket(0).receive({ type: 'data', id: 'id1', event: ['null'] })); // the documented one-element array
      h.at(50, () => h.client.close());
    });
  });

  it('subscribe_error fails the subscribers with a ServerError carrying errors[], and sends no unsubscribe', () => {
    const errors = [{ errorType: 'SubscriptionProcessingError', message: 'handler rejected the subscription' }];
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.subscribe('/default/a')).toBe('20ms #', undefined, anError(ServerError, { operation: 'subscribe', errors, code: 'SERVER_ERROR' }));
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'subscribe_error', id: 'id1', errors }));
      h.at(5000, () => {
        expect(h.socket(0).sent).toEqual([init, subscribeFrame('id1', '/default/a')]);
        h.client.close();
      });
    });
  });

  it('retries an Unauthorized subscribe_error once with fresh auth, then fails with UnauthorizedError', () => {
    const errors = [{ errorType: 'Unauthorized', message: 'onSubscribe said no' }];
    const { auth, calls } = countingAuth();
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { auth });
      expectObservable(h.client.subscribe('/default/a')).toBe('30ms #', undefined, anError(UnauthorizedError, { operation: 'subscribe', errors }));
      h.at(10, () => h.accept(0));
      h.at(20, () => {
        h.socket(0).receive({ type: 'subscribe_error', id: 'id1', errors });
        expect(calls).toEqual(['connect', 'subscribe', 'subscribe']);
        expect(h.socket(0).sent).toEqual([init, subscribeFrame('id1', '/default/a', token(2)), subscribeFrame('id2', '/default/a', token(3))]);
      });
      h.at(30, () => h.socket(0).receive({ type: 'subscribe_error', id: 'id2', errors }));
      h.at(40, () => {
        expect(calls).toHaveLength(3); // no third attempt
        expect(h.socket(0).sent).toHaveLength(3);
        h.client.close();
      });
    });
  });

  it('keeps the subscription when the retry with fresh auth succeeds', () => {
    const { auth } = countingAuth();
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { auth });
      expectObservable(h.client.subscribe('/default/a')).toBe('40ms a 9ms |', { a: 'ok' });
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'subscribe_error', id: 'id1', errors: [{ errorType: 'UnauthorizedException' }] }));
      h.at(30, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id2' }));
      h.at(35, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '"stale id"' })); // the failed id is gone
      h.at(40, () => h.socket(0).receive({ type: 'data', id: 'id2', event: '"ok"' }));
      h.at(50, () => h.client.close());
    });
  });

  it('times out at exactly requestTimeoutMs with TimeoutError; a late subscribe_success is undone with one unsubscribe', () => {
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { requestTimeoutMs: 1000, lingerMs: 0 });
      expectObservable(h.client.subscribe('/default/a')).toBe('1010ms #', undefined, anError(TimeoutError, { operation: 'subscribe', timeoutMs: 1000 }));
      h.at(10, () => h.accept(0));
      h.at(1500, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(1505, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '1' })); // dropped
      h.at(1510, () => h.socket(0).receive({ type: 'unsubscribe_success', id: 'id1' }));
      return h;
    });
    expect(h.socket(0).sentLog).toEqual([
      { at: 10, frame: init },
      { at: 10, frame: subscribeFrame('id1', '/default/a') },
      { at: 1500, frame: { type: 'unsubscribe', id: 'id1' } },
    ]);
    // The connection was held for the pending undo, and closes (linger 0) once it is answered.
    expect(h.socket(0).closeCalls).toEqual([{ code: 1000, reason: 'idle', at: 1510 }]);
    expect(scheduler.actions).toEqual([]);
  });

  it('after a timeout, a late subscribe_error needs no unsubscribe', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { requestTimeoutMs: 1000, lingerMs: 0 });
      h.client.subscribe('/default/a').subscribe({ error: () => undefined });
      h.at(10, () => h.accept(0));
      h.at(1500, () => h.socket(0).receive({ type: 'subscribe_error', id: 'id1', errors: [{ errorType: 'SubscriptionProcessingError' }] }));
      return h;
    });
    expect(h.socket(0).sent).toEqual([init, subscribeFrame('id1', '/default/a')]);
    expect(h.socket(0).closeCalls).toEqual([{ code: 1000, reason: 'idle', at: 1500 }]);
  });

  it('fails with ValidationError for an invalid channel, without opening a socket', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.subscribe('/default/a b')).toBe('#', undefined, anError(ValidationError, { reason: 'INVALID_CHANNEL' }));
      h.at(10, () => expect(h.sockets).toHaveLength(0));
    });
  });
});

describe('teardown', () => {
  it('unsubscribing while the subscribe is pending sends nothing until subscribe_success, then exactly one unsubscribe', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      let sub: Subscription | undefined;
      const events: unknown[] = [];
      h.at(0, () => (sub = h.client.subscribe('/default/a').subscribe((e) => events.push(e))));
      h.at(10, () => h.accept(0));
      h.at(15, () => sub?.unsubscribe());
      h.at(20, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(25, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '1' }));
      h.at(30, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' })); // a duplicate changes nothing
      h.at(40, () => h.socket(0).receive({ type: 'unsubscribe_success', id: 'id1' }));
      h.at(2000, () => {
        expect(events).toEqual([]);
        h.client.close();
      });
      return h;
    });
    expect(h.socket(0).sentLog).toEqual([
      { at: 10, frame: init },
      { at: 10, frame: subscribeFrame('id1', '/default/a') },
      { at: 20, frame: { type: 'unsubscribe', id: 'id1' } },
    ]);
    expect(h.socket(0).closeCalls).toEqual([{ code: 1000, reason: 'idle', at: 1040 }]); // default linger 1000
  });

  it('gives up waiting for a subscribe reply that never comes: the connection is released requestTimeoutMs later', async () => {
    let result: Promise<void> | undefined;
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { requestTimeoutMs: 1000, lingerMs: 0 });
      const states = h.record(h.client.connectionState$);
      h.client.subscribe('/default/a').subscribe();
      h.at(10, () => h.accept(0));
      h.at(20, () => (result = handled(h.client.unsubscribe('/default/a')))); // subscribe still pending
      h.at(1021, () => expect(states.slice(-1)).toEqual([{ at: 1020, next: { status: 'idle' } }]));
      return h;
    });
    expect(h.socket(0).sent).toEqual([init, subscribeFrame('id1', '/default/a')]);
    expect(h.socket(0).closeCalls).toEqual([{ code: 1000, reason: 'idle', at: 1020 }]);
    expect(scheduler.actions).toEqual([]);
    await expect(result).rejects.toEqual(anError(TimeoutError, { operation: 'unsubscribe', timeoutMs: 1000 }));
  });

  it('sends unsubscribe only on the socket that carries the subscription: after a reconnect, the new id on the new socket', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 } });
      let sub: Subscription | undefined;
      h.at(0, () => (sub = h.client.subscribe('/default/a').subscribe()));
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(100, () => h.socket(0).serverClose(1006)); // retry after 100
      h.at(201, () => h.accept(1));
      h.at(205, () => sub?.unsubscribe()); // the resubscribe (id2) is still pending
      h.at(210, () => h.socket(1).receive({ type: 'subscribe_success', id: 'id2' }));
      h.at(220, () => h.socket(1).receive({ type: 'unsubscribe_success', id: 'id2' }));
      h.at(300, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sent).toEqual([init, subscribeFrame('id1', '/default/a')]);
    expect(h.socket(1).sentLog).toEqual([
      { at: 201, frame: init },
      { at: 201, frame: subscribeFrame('id2', '/default/a') },
      { at: 210, frame: { type: 'unsubscribe', id: 'id2' } },
    ]);
  });

  it('unsubscribing during the backoff sends nothing, and with lingerMs 0 cancels the reconnection', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 }, lingerMs: 0 });
      const states = h.record(h.client.connectionState$);
      let sub: Subscription | undefined;
      h.at(0, () => (sub = h.client.subscribe('/default/a').subscribe()));
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(100, () => h.socket(0).serverClose(1006)); // retry after 100
      h.at(150, () => {
        sub?.unsubscribe();
        expect(states.slice(-2).map((s) => ('next' in s ? [s.at, s.next.status] : s))).toEqual([
          [100, 'reconnecting'],
          [150, 'idle'],
        ]);
      });
      return h;
    });
    expect(h.sockets).toHaveLength(1);
    expect(h.socket(0).sent).toEqual([init, subscribeFrame('id1', '/default/a')]);
    expect(scheduler.actions).toEqual([]);
  });

  it('shares one wire subscription between subscribers of one channel (default/a and /default/a/); the last one leaving sends one unsubscribe', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      let first: Subscription | undefined;
      let second: Subscription | undefined;
      const a: unknown[] = [];
      const b: unknown[] = [];
      h.at(0, () => (first = h.client.subscribe('default/a').subscribe((e) => a.push(e))));
      h.at(5, () => (second = h.client.subscribe('/default/a/').subscribe((e) => b.push(e))));
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(30, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '1' }));
      h.at(40, () => first?.unsubscribe());
      h.at(50, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '2' }));
      h.at(60, () => second?.unsubscribe());
      h.at(70, () => h.socket(0).receive({ type: 'unsubscribe_success', id: 'id1' }));
      h.at(80, () => {
        expect(a).toEqual([1]);
        expect(b).toEqual([1, 2]);
        h.client.close();
      });
      return h;
    });
    expect(h.socket(0).sentLog).toEqual([
      { at: 10, frame: init },
      { at: 10, frame: subscribeFrame('id1', '/default/a') },
      { at: 60, frame: { type: 'unsubscribe', id: 'id1' } },
    ]);
  });
});

describe('unsubscribe(channel)', () => {
  it('completes the local subscribers at once, sends one unsubscribe and resolves on unsubscribe_success', async () => {
    let result: Promise<void> | undefined;
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.subscribe('/default/a')).toBe('30ms a 9ms |', { a: 1 });
      expectObservable(h.client.subscribeMessages('/default/a')).toBe('30ms a 9ms |', { a: { type: 'data', channel: '/default/a', event: '1' } });
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(30, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '1' }));
      h.at(40, () => (result = handled(h.client.unsubscribe('default/a'))));
      h.at(50, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '2' })); // in flight: dropped
      h.at(60, () => h.socket(0).receive({ type: 'unsubscribe_success', id: 'id1' }));
      h.at(100, () => h.client.close());
      return h;
    });
    await expect(result).resolves.toBeUndefined();
    expect(h.socket(0).sentLog.slice(2)).toEqual([{ at: 40, frame: { type: 'unsubscribe', id: 'id1' } }]);
  });

  it('does not resolve before the reply: rejects with TimeoutError when unsubscribe is never answered', async () => {
    let result: Promise<void> | undefined;
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { requestTimeoutMs: 2000 });
      h.client.subscribe('/default/a').subscribe();
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(40, () => (result = handled(h.client.unsubscribe('/default/a'))));
      h.at(3000, () => h.client.close());
    });
    await expect(result).rejects.toEqual(anError(TimeoutError, { operation: 'unsubscribe', timeoutMs: 2000 }));
  });

  it('rejects with ServerError on unsubscribe_error', async () => {
    const errors = [{ errorType: 'UnknownOperationError', message: 'Unknown operation id id1' }];
    let result: Promise<void> | undefined;
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      h.client.subscribe('/default/a').subscribe();
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(40, () => (result = handled(h.client.unsubscribe('/default/a'))));
      h.at(50, () => h.socket(0).receive({ type: 'unsubscribe_error', id: 'id1', errors }));
      h.at(100, () => h.client.close());
    });
    await expect(result).rejects.toEqual(anError(ServerError, { operation: 'unsubscribe', errors }));
  });

  it('rejects with ChannelNotSubscribedError for a channel without subscription, sending nothing', async () => {
    let unknown: Promise<void> | undefined;
    let pending = 'pending';
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler);
      h.client.subscribe('/default/a').subscribe();
      h.at(10, () => h.accept(0));
      h.at(20, () => {
        unknown = handled(h.client.unsubscribe('/default/b'));
        unknown.then(() => (pending = 'resolved'), () => (pending = 'rejected'));
      });
      h.at(100, () => h.client.close());
      return h;
    });
    await microtasks();
    expect(pending).toBe('rejected');
    await expect(unknown).rejects.toEqual(anError(ChannelNotSubscribedError, { channel: '/default/b' }));
    expect(h.socket(0).sent).toEqual([init, subscribeFrame('id1', '/default/a')]);
  });
});

describe('inbound frames', () => {
  it('delivers broadcast_error to subscribeMessages and broadcastErrors$ without ending the subscription', () => {
    const errors = [{ errorType: 'MessageProcessingError', message: 'handler failed for one event' }];
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.subscribeMessages('/default/*')).toBe('20ms a 9ms b 69ms |', {
        a: { type: 'broadcast_error', channel: '/default/*', errors },
        b: { type: 'data', channel: '/default/*', event: '"after"' },
      });
      expectObservable(h.client.subscribe('/default/*')).toBe('30ms b 69ms |', { b: 'after' });
      expectObservable(h.client.broadcastErrors$).toBe('20ms a 79ms |', { a: { channel: '/default/*', errors } });
      h.at(10, () => h.accept(0));
      h.at(15, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(20, () => h.socket(0).receive({ type: 'broadcast_error', id: 'id1', errors }));
      h.at(30, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '"after"' }));
      h.at(100, () => h.client.close());
    });
  });

  it('ignores data for an unknown id (still visible on messages$)', () => {
    scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler);
      expectObservable(h.client.subscribe('/default/a')).toBe('30ms a 69ms |', { a: 'mine' });
      expectObservable(h.client.messages$).toBe('10ms a 9ms b 9ms (cd) 66ms |', {
        a: { type: 'connection_ack', connectionTimeoutMs: 300_000 },
        b: { type: 'subscribe_success', id: 'id1' },
        c: { type: 'data', id: 'nobody', event: '"other"' },
        d: { type: 'data', id: 'id1', event: '"mine"' },
      });
      h.at(10, () => h.accept(0));
      h.at(20, () => h.socket(0).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(30, () => {
        h.socket(0).receive({ type: 'data', id: 'nobody', event: '"other"' });
        h.socket(0).receive({ type: 'data', id: 'id1', event: '"mine"' });
      });
      h.at(100, () => h.client.close());
    });
  });
});

describe('resubscription after a reconnect', () => {
  it('subscribes every live channel again after the new ack (new id, fresh auth); subscribers neither complete nor error; resubscribed: true', () => {
    const { auth, calls } = countingAuth();
    const onSubscribedA: SubscribedEvent[] = [];
    const h = scheduler.run(({ expectObservable }) => {
      const h = createMarbleHarness(scheduler, { auth, retry: { random: () => 0.5 } });
      expectObservable(h.client.subscribe('/default/a', { onSubscribed: (e) => onSubscribedA.push(e) })).toBe('30ms a 189ms b 79ms |', { a: 'before', b: 'after' });
      expectObservable(h.client.subscribe('/default/b')).toBe('300ms |');
      expectObservable(h.client.subscribed$).toBe('20ms (ab) 186ms (cd) 86ms |', {
        a: { channel: '/default/a', resubscribed: false },
        b: { channel: '/default/b', resubscribed: false },
        c: { channel: '/default/a', resubscribed: true },
        d: { channel: '/default/b', resubscribed: true },
      });
      h.at(10, () => h.accept(0));
      h.at(20, () => {
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
        h.socket(0).receive({ type: 'subscribe_success', id: 'id2' });
      });
      h.at(30, () => h.socket(0).receive({ type: 'data', id: 'id1', event: '"before"' }));
      h.at(100, () => h.socket(0).serverClose(1001, 'going away')); // retry after 100
      h.at(201, () => h.accept(1));
      h.at(210, () => {
        h.socket(1).receive({ type: 'subscribe_success', id: 'id3' });
        h.socket(1).receive({ type: 'subscribe_success', id: 'id4' });
      });
      h.at(215, () => h.socket(1).receive({ type: 'data', id: 'id1', event: '"old id"' })); // ignored
      h.at(220, () => h.socket(1).receive({ type: 'data', id: 'id3', event: '"after"' }));
      h.at(300, () => h.client.close());
      return h;
    });
    expect(calls).toEqual(['connect', 'subscribe', 'subscribe', 'connect', 'subscribe', 'subscribe']);
    expect(h.socket(1).sentLog).toEqual([
      { at: 201, frame: init },
      { at: 201, frame: subscribeFrame('id3', '/default/a', token(5)) },
      { at: 201, frame: subscribeFrame('id4', '/default/b', token(6)) },
    ]);
    expect(onSubscribedA).toEqual([
      { channel: '/default/a', resubscribed: false },
      { channel: '/default/a', resubscribed: true },
    ]);
  });
  it("a subscriber that joins while its channel is being subscribed again is told resubscribed: false (it missed nothing), the others true", () => {
    const told: Record<string, SubscribedEvent[]> = { first: [], joiner: [] };
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { retry: { random: () => 0.5 } });
      h.client.subscribe('/default/a', { onSubscribed: (e) => told.first!.push(e) }).subscribe();
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive({ type: 'subscribe_success', id: 'id1' });
        h.socket(0).serverClose(1006); // socket 1 at 110
      });
      h.at(50, () => h.client.subscribe('/default/a', { onSubscribed: (e) => told.joiner!.push(e) }).subscribe());
      h.at(120, () => {
        h.accept(1);
        h.socket(1).receive({ type: 'subscribe_success', id: 'id2' });
        h.socket(1).serverClose(1006); // socket 2 at 220 (the connection's attempt 2: 0.5 × 400 ms)
      });
      h.at(330, () => {
        h.accept(2);
        h.socket(2).receive({ type: 'subscribe_success', id: 'id3' });
        h.client.close();
      });
    });
    expect(told.first!.map((e) => e.resubscribed)).toEqual([false, true, true]);
    expect(told.joiner!.map((e) => e.resubscribed)).toEqual([false, true]);
  });
});

describe('connection lost while the subscribe authorization is pending', () => {
  it('sends nothing on the lost socket and subscribes on the next session with a fresh authorization', () => {
    const h = scheduler.run(({ expectObservable }) => {
      const asked: number[] = [];
      // The connection is authorised at once; each subscribe's authorization arrives 100 ms later
      // (a token refresh in flight, say).
      const auth: AuthProvider = (request) => {
        if (request.kind === 'connect') return { host: request.host, Authorization: 'connect-token' };
        asked.push(scheduler.now());
        const answer = { host: request.host, Authorization: `sub-token-${asked.length}` };
        return new Observable<Authorization>((s) => scheduler.schedule(() => (s.next(answer), s.complete()), 100));
      };
      const h = createMarbleHarness(scheduler, { auth, retry: { random: () => 0.5 } });
      expectObservable(h.client.subscribe('/default/a')).toBe('280ms a 19ms |', { a: 'after' });
      h.at(10, () => h.accept(0)); // the subscribe asks for its authorization
      h.at(50, () => h.socket(0).serverClose(1001, 'going away')); // before the answer (110); retry after 100
      h.at(160, () => h.accept(1)); // asks again: answered at 260
      h.at(270, () => h.socket(1).receive({ type: 'subscribe_success', id: 'id1' }));
      h.at(280, () => h.socket(1).receive({ type: 'data', id: 'id1', event: '"after"' }));
      h.at(300, () => {
        expect(asked).toEqual([10, 160]);
        h.client.close();
      });
      return h;
    });
    expect(h.socket(0).sent).toEqual([init]);
    expect(h.socket(1).sentLog).toEqual([
      { at: 160, frame: init },
      { at: 260, frame: subscribeFrame('id1', '/default/a', { host: HTTP_HOST, Authorization: 'sub-token-2' }) },
    ]);
  });
});
