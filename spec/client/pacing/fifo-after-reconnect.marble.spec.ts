/**
 * publishRateLimit keeps the line in order through a reconnection. In the first design (found by a
 * review, 29 Nov 2026; this test failed on it), a request whose turn came while the connection was
 * being re-established went back to waiting for a connection and then took a second turn, behind
 * the requests queued after it, and lost a whole window. Now the line moves only while there is an
 * acknowledged session, and a new connection is counted afresh.
 */
import { TestScheduler } from 'rxjs/testing';
import { createMarbleHarness } from '../../helpers/fake-socket';
import { ok, publishLog, publishes } from './helpers';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

describe('publishRateLimit: order after a reconnection', () => {
  it('a request whose turn came while reconnecting keeps its place: it is sent before the requests queued after it', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1, retry: { random: () => 0 } });
      h.client.subscribe('/default/keep').subscribe({ error: () => undefined });
      // 1 goes at 10; 2's turn is 1060, 3's is 2110.
      for (const n of [1, 2, 3]) h.client.publish('/default/a', [n]).subscribe({ error: () => undefined });
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive(ok(publishes(h)[0]));
      });
      // Lost at 500; the new connection is acknowledged at 1500: after 2's turn, before 3's.
      h.at(500, () => h.socket(0).serverClose(1006));
      h.at(1500, () => h.accept(1));
      h.at(6000, () => h.client.close());
      return h;
    });
    const onNewSocket = publishLog(h, 1).map((s) => [s.frame.events, s.at]);
    // In call order: 2 before 3 (2 may go at once at 1500: nothing was sent for 1,050 ms+).
    expect(onNewSocket.map(([events]) => events)).toEqual([['2'], ['3']]);
    // And 2 is not held back a whole extra window behind 3.
    expect(onNewSocket[0]![1]).toBeLessThanOrEqual(2110);
  });
});
