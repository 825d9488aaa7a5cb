/**
 * Re-entrancy in the line: a request's turn runs application code (`generateId`) between leaving
 * the line and sending its frame. `_drain` reads the session again for the NEXT request, but the
 * request being sent was not re-checked after `generateId` returned (Operation._transmit registered
 * it and sent on the session it was given).
 * (Found by a review, 29 Nov 2026; it failed before the fix.)
 */
import type { Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ConnectionClosedError } from '../../../src/errors';
import type { EventsClient } from '../../../src/client';
import { anError, createMarbleHarness } from '../../helpers/fake-socket';
import { publishes, quiet } from './helpers';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

describe('publishRateLimit: generateId run at a request turn', () => {
  it('close() from generateId at a turn: the request fails with ConnectionClosedError at once (not a TimeoutError 15 s later, with a deadline timer left behind)', () => {
    scheduler.run(() => {
      let client: EventsClient | undefined;
      let n = 0;
      const generateId = (): string => {
        const id = `id${++n}`;
        if (id === 'id2') client!.close();
        return id;
      };
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1, generateId });
      client = h.client;
      h.client.publish('/default/a', [1]).subscribe(quiet);
      const second = h.record(h.client.publish('/default/a', [2]));
      h.at(10, () => h.accept(0)); // 1 goes at 10; 2's turn is 1060, where generateId closes the client
      // Checked when the run is over (it hangs until its deadline on the current code).
      h.at(20_000, () => expect(second).toEqual([{ at: 1060, error: anError(ConnectionClosedError, { operation: 'publish' }) }]));
    });
  });

  it('an unsubscribe from generateId at a turn: nothing is sent for the request that was unsubscribed', () => {
    const h = scheduler.run(() => {
      let waiting: Subscription | undefined;
      let armed = false;
      let n = 0;
      const generateId = (): string => {
        // The caller gives up on 2 just as its turn comes (armed after 1 went).
        if (armed) waiting!.unsubscribe();
        return `id${++n}`;
      };
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1, generateId });
      h.client.subscribe('/default/keep').subscribe(quiet);
      h.client.publish('/default/a', [1]).subscribe(quiet);
      waiting = h.client.publish('/default/a', [2]).subscribe(quiet);
      h.at(10, () => h.accept(0));
      h.at(20, () => (armed = true)); // 2's turn: 1060
      h.at(3000, () => h.client.close());
      return h;
    });
    // "unsubscribing early stops the remaining requests": 2 was unsubscribed before its frame went.
    expect(publishes(h).map((f) => f.events)).toEqual([['1']]);
  });
});
