/**
 * Marble tests of `publishRateLimit`: the client sends at most N WebSocket publish requests in any
 * 1,050 ms on one connection (the service allows 25 per second per connection; 5% to spare), later
 * ones wait their turn in order. A request is counted when it is really sent, and its timeout runs
 * in line. The wait ends like a wait for an auth provider: teardown, timeout, `close()`, a terminal
 * failure; through a reconnection the line keeps its order, and the new connection is counted
 * afresh. More cases: spec/client/pacing/.
 */
import { Observable, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ConnectionClosedError, ConnectionError, ServerError, TimeoutError, ValidationError } from '../../src/errors';
import { apiKeyAuth, createEventsClient } from '../../src';
import type { AuthProvider } from '../../src/auth/types';
import type { Authorization } from '../../src/protocol/messages';
import { API_KEY, anError, createMarbleHarness, type Frame, type MarbleHarness } from '../helpers/fake-socket';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

const ok = (frame: Frame | undefined, count = 1) => ({
  type: 'publish_success',
  id: frame?.id,
  successful: Array.from({ length: count }, (_, index) => ({ identifier: `e${index}`, index })),
  failed: [],
});

/** When each publish frame went out, on one socket. */
const publishTimes = (h: MarbleHarness, socket = 0): (number | undefined)[] => h.socket(socket).sentLog.filter((s) => s.frame.type === 'publish').map((s) => s.at);
const publishes = (h: MarbleHarness, socket = 0): Frame[] => h.socket(socket).sent.filter((f) => f.type === 'publish');

describe('publishRateLimit', () => {
  it('sends the first N requests at once and each later one 1,050 ms after the N-th before it, in order', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 2 });
      const outs = [1, 2, 3, 4, 5].map((n) => h.record(h.client.publish('/default/a', [n])));
      h.at(10, () => h.accept(0));
      // Every request is answered a millisecond after its turn (an action scheduled earlier for the
      // same time runs first).
      for (const t of [10, 1061, 2111]) h.at(t, () => publishes(h).slice(-2).forEach((f) => h.socket(0).receive(ok(f))));
      h.at(3000, () => {
        expect(outs.map((out) => out[0]?.at)).toEqual([10, 10, 1061, 1061, 2111]);
        h.client.close();
      });
      return h;
    });
    expect(publishTimes(h)).toEqual([10, 10, 1060, 1060, 2110]);
    expect(publishes(h).map((f) => f.events)).toEqual([['1'], ['2'], ['3'], ['4'], ['5']]); // in the order of the calls
  });

  it('paces the requests of one publish of more than N × 5 events too', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 2 });
      const out = h.record(h.client.publish('/default/a', Array.from({ length: 12 }, (_, i) => i)));
      // Each request is answered at once: the next one goes when its turn comes.
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive(ok(publishes(h)[0], 5));
        h.socket(0).receive(ok(publishes(h)[1], 5));
        expect(publishes(h)).toHaveLength(2);
      });
      h.at(1061, () => h.socket(0).receive(ok(publishes(h)[2], 2)));
      h.at(2000, () => {
        expect(out).toEqual([{ at: 1061, next: { successful: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], failed: [] } }, { at: 1061, complete: true }]);
        h.client.close();
      });
      return h;
    });
    expect(publishTimes(h)).toEqual([10, 10, 1060]);
  });

  it('counts the wait in line in timeoutMs: a request still waiting when it expires fails with TimeoutError, unsent, and leaves the line', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1 });
      const first = h.record(h.client.publish('/default/a', [1]));
      const second = h.record(h.client.publish('/default/a', [2], { timeoutMs: 100 }));
      const third = h.record(h.client.publish('/default/a', [3]));
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive(ok(publishes(h)[0]));
      });
      h.at(101, () => expect(second).toEqual([{ at: 100, error: anError(TimeoutError, { operation: 'publish', timeoutMs: 100 }) }]));
      // The third takes the second's place in line.
      h.at(1061, () => {
        expect(publishes(h).map((f) => f.events)).toEqual([['1'], ['3']]);
        expect(publishTimes(h)).toEqual([10, 1060]);
        expect(first).toHaveLength(2);
        expect(third).toEqual([]); // sent, not answered yet
        h.client.close();
      });
    });
  });

  it('counts a request when it is really sent: one whose auth provider answers later waits a window after the one sent before it', () => {
    scheduler.run(() => {
      const slow: AuthProvider = (request) =>
        new Observable<Authorization>((subscriber) =>
          scheduler.schedule(() => {
            subscriber.next({ host: request.host, 'x-api-key': API_KEY });
            subscriber.complete();
          }, 500),
        );
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1 });
      h.client.subscribe('/default/keep').subscribe();
      const quiet = { error: () => undefined };
      h.at(10, () => {
        h.accept(0);
        h.client.publish('/default/a', ['slow'], { auth: slow }).subscribe(quiet); // authorised at 510
        h.client.publish('/default/a', ['quick']).subscribe(quiet); // sent at once
      });
      h.at(2000, () => {
        expect(h.socket(0).sentLog.filter((s) => s.frame.type === 'publish').map((s) => [s.frame.events, s.at])).toEqual([
          [['"quick"'], 10],
          [['"slow"'], 1060],
        ]);
        h.client.close();
      });
    });
  });

  it('a request waiting in line while the connection is being re-established still times out (no hang until close())', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1, retry: { random: () => 1, initialDelayMs: 60_000, maxDelayMs: 60_000 } });
      h.client.subscribe('/default/keep').subscribe();
      const quiet = { error: () => undefined };
      h.at(10, () => {
        h.accept(0);
        h.client.publish('/default/a', [1]).subscribe(quiet);
      });
      const waiting = h.recordAt(20, h.client.publish('/default/a', [2], { timeoutMs: 700 }));
      h.at(100, () => h.socket(0).serverClose(1006)); // reconnects in 60 s
      h.at(800, () => {
        expect(waiting).toEqual([{ at: 720, error: anError(TimeoutError, { operation: 'publish', timeoutMs: 700 }) }]);
        h.client.close();
      });
    });
  });

  it('an unsubscribe while it waits: nothing is sent for it, and the next in line takes its turn', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1, lingerMs: 0 });
      h.client.subscribe('/default/keep').subscribe();
      h.at(10, () => {
        h.accept(0);
        const quiet = { error: () => undefined }; // unanswered: they fail at close()
        h.client.publish('/default/a', [1]).subscribe(quiet);
        const waiting = h.client.publish('/default/a', [2]).subscribe(quiet);
        waiting.unsubscribe();
        h.client.publish('/default/a', [3]).subscribe(quiet);
      });
      h.at(5000, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sentLog.filter((s) => s.frame.type === 'publish').map((s) => [s.frame.events, s.at])).toEqual([
      [['1'], 10],
      [['3'], 1060],
    ]);
  });

  it('close() while it waits fails it with ConnectionClosedError, and nothing is sent', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1 });
      const outs = [1, 2].map((n) => h.record(h.client.publish('/default/a', [n])));
      h.at(10, () => h.accept(0));
      h.at(500, () => h.client.close());
      h.at(2000, () => {
        expect(outs[1]).toEqual([{ at: 500, error: anError(ConnectionClosedError, { operation: 'publish' }) }]);
        expect(publishTimes(h)).toEqual([10]);
      });
    });
  });

  it('a terminal failure while it waits fails it with the connection error (it was never sent: not an unknown outcome)', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1, retry: false });
      h.client.subscribe('/default/keep').subscribe({ error: () => undefined });
      const outs = [1, 2].map((n) => h.record(h.client.publish('/default/a', [n])));
      h.at(10, () => h.accept(0));
      h.at(500, () => h.socket(0).serverClose(1006));
      h.at(2000, () => {
        expect(outs[1]).toEqual([{ at: 500, error: anError(ConnectionError, { closeCode: 1006 }) }]);
        expect(publishTimes(h)).toEqual([10]);
        expect(h.sockets).toHaveLength(1);
      });
    });
  });

  it('a reconnection while it waits: the new connection is counted afresh, and the request goes once it is acknowledged', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1, retry: { random: () => 0 } });
      h.client.subscribe('/default/keep').subscribe();
      const outs = [1, 2].map((n) => h.record(h.client.publish('/default/a', [n])));
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive(ok(publishes(h)[0]));
      });
      h.at(500, () => h.socket(0).serverClose(1006));
      h.at(510, () => h.accept(1));
      // The line moves on a new turn, once the operations that waited for the session were told.
      h.at(511, () => {
        expect(publishTimes(h, 1)).toEqual([510]);
        expect(publishes(h, 1).map((f) => f.events)).toEqual([['2']]);
        h.socket(1).receive(ok(publishes(h, 1)[0]));
        expect(outs[1]).toEqual([
          { at: 511, next: { successful: [0], failed: [] } },
          { at: 511, complete: true },
        ]);
        h.client.close();
      });
    });
  });

  it('a wall clock set back does not hold publishes back by the step: one window at most', () => {
    let offset = 0;
    // The TestScheduler's timers, with a clock that can be stepped like Date.now().
    const wallClock: SchedulerLike = {
      now: () => scheduler.now() + offset,
      schedule: <T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription => scheduler.schedule(work, delay, state),
    };
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1, scheduler: wallClock });
      h.client.subscribe('/default/keep').subscribe(); // keeps the connection open
      const quiet = { error: () => undefined };
      h.client.publish('/default/a', [1]).subscribe(quiet);
      h.at(10, () => h.accept(0));
      h.at(100, () => (offset = -3_600_000)); // set back one hour
      h.at(2000, () => h.client.publish('/default/a', [2]).subscribe(quiet));
      h.at(5000, () => h.client.close());
      return h;
    });
    expect(publishTimes(h)).toEqual([10, 3050]);
  });

  it('a request refused for the rate (LimitExceededError) goes again, first in line, once a window has passed; without pacing it fails', () => {
    const limited = (frame: Frame | undefined) => ({ type: 'publish_error', id: frame?.id, errors: [{ errorType: 'LimitExceededError', message: 'Rate limit exceeded' }] });
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 2 });
      const outs = [1, 2, 3].map((n) => h.record(h.client.publish('/default/a', [n])));
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive(ok(publishes(h)[0]));
        h.socket(0).receive(limited(publishes(h)[1])); // as if the service had read the frames closer together
      });
      // The whole line waits a window from the refusal; the refused request goes first.
      h.at(1061, () => {
        expect(publishes(h).slice(2).map((f) => f.events)).toEqual([['2'], ['3']]);
        for (const f of publishes(h).slice(2)) h.socket(0).receive(ok(f));
        expect(outs.map((o) => o[0])).toEqual([1, 2, 3].map(() => expect.objectContaining({ next: { successful: [0], failed: [] } })));
        h.client.close();
      });
      return h;
    });
    expect(publishTimes(h)).toEqual([10, 10, 1060, 1060]);

    const unpaced = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    unpaced.run(() => {
      const u = createMarbleHarness(unpaced, { publishRateLimit: false });
      const out = u.record(u.client.publish('/default/a', [1]));
      u.at(10, () => {
        u.accept(0);
        u.socket(0).receive(limited(u.socket(0).sent.find((f) => f.type === 'publish')));
        expect(out).toEqual([{ at: 10, error: anError(ServerError, { operation: 'publish' }) }]);
        u.client.close();
      });
    });
  });

  it('a request refused for the rate three times fails with that ServerError (another quota is not the pace\'s to fix)', () => {
    scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1 });
      const out = h.record(h.client.publish('/default/a', [1]));
      const refuse = () => h.socket(0).receive({ type: 'publish_error', id: publishes(h).at(-1)?.id, errors: [{ errorType: 'LimitExceededError', message: 'quota' }] });
      h.at(10, () => {
        h.accept(0);
        refuse();
      });
      h.at(1061, refuse); // the window starts again from each refusal
      h.at(2112, () => {
        refuse();
        expect(publishTimes(h)).toEqual([10, 1060, 2111]);
        expect(out).toEqual([{ at: 2112, error: anError(ServerError, { operation: 'publish', errors: [{ errorType: 'LimitExceededError', message: 'quota' }] }) }]);
        h.client.close();
      });
    });
  });

  it('false turns the pacing off; the default is the service limit, 25 requests', () => {
    for (const [publishRateLimit, atOnce] of [
      [false, 40],
      [undefined, 25],
    ] as const) {
      const local = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
      local.run(() => {
        const h = createMarbleHarness(local, publishRateLimit === undefined ? {} : { publishRateLimit });
        for (let n = 0; n < 40; n++) h.client.publish('/default/a', [n]).subscribe({ error: () => undefined });
        h.at(10, () => h.accept(0));
        h.at(11, () => {
          expect(publishTimes(h)).toHaveLength(atOnce);
          h.client.close();
        });
      });
    }
  });

  it.each<[string, unknown]>([
    ['0', 0],
    ['a string', '25'],
    ['true', true],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['1001', 1001],
  ])('refuses %s with ValidationError (INVALID_CONFIG) at creation', (_what, publishRateLimit) => {
    const create = (): unknown => createEventsClient({ httpEndpoint: 'https://example.appsync-api.eu-west-1.amazonaws.com/event', auth: apiKeyAuth('da2-pacingpacingpacingpacing'), publishRateLimit: publishRateLimit as number });
    expect(create).toThrow(ValidationError);
    expect(create).toThrow('publishRateLimit must be a number >= 1 and <= 1000');
  });
});
