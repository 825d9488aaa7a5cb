/**
 * A subscription whose last subscriber leaves inside its own `generateId` sends nothing: it used
 * to be set to `Subscribing` before its id was made, so `_end` moved it to `Closing` and the
 * `subscribe` frame was still sent, holding the connection until the server answered it (or its
 * deadline, which then failed the unsubscribe with a TimeoutError). (Found by a review,
 * 29 Nov 2026; these failed before the fix.)
 */
import type { Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createMarbleHarness, handled } from '../helpers/fake-socket';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

describe('generateId ends the subscription it is generating an id for', () => {
  it('the last subscriber unsubscribes from generateId: nothing is sent, and the connection is let go (lingerMs 0)', () => {
    const h = scheduler.run(() => {
      let sub: Subscription | undefined;
      let n = 0;
      const generateId = (): string => {
        sub?.unsubscribe();
        return `id${++n}`;
      };
      const h = createMarbleHarness(scheduler, { generateId, lingerMs: 0 });
      sub = h.client.subscribe('/default/a').subscribe();
      h.at(10, () => h.accept(0));
      h.at(20, () => {
        expect(h.socket(0).sent.filter((f) => f.type !== 'connection_init')).toEqual([]);
        expect(h.socket(0).closedByClient).toBe(true); // nothing uses the connection any more
      });
      h.at(30, () => h.client.close());
      return h;
    });
    expect(h.socket(0).sent.filter((f) => f.type === 'subscribe' || f.type === 'unsubscribe')).toEqual([]);
  });

  it('client.unsubscribe(channel) from generateId: the promise resolves (no TimeoutError) and nothing is sent', async () => {
    let outcome = 'pending';
    const h = scheduler.run(() => {
      let armed = false;
      let n = 0;
      let h: ReturnType<typeof createMarbleHarness> | undefined;
      const generateId = (): string => {
        if (armed) {
          armed = false;
          handled(h!.client.unsubscribe('/default/a')).then(
            () => (outcome = 'resolved'),
            (e: Error) => (outcome = `rejected ${e.name}`),
          );
        }
        return `id${++n}`;
      };
      h = createMarbleHarness(scheduler, { generateId, requestTimeoutMs: 1000 });
      h.client.subscribe('/default/a').subscribe();
      armed = true;
      h.at(10, () => h!.accept(0)); // the server never answers anything after the ack
      h.at(5000, () => h!.client.close());
      return h;
    });
    await Promise.resolve();
    await Promise.resolve();
    // (On the current code: the subscribe is sent, never answered, and the promise rejects with a
    // TimeoutError for an unsubscribe that had nothing to undo.)
    expect(outcome).toBe('resolved');
    expect(h.socket(0).sent.filter((f) => f.type === 'subscribe' || f.type === 'unsubscribe')).toEqual([]);
  });
});
