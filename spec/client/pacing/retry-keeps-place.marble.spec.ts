/**
 * "Requests wait in order, also through a reconnection." A request sent again by the client itself
 * (an idempotent publish whose socket dropped, `_onLost`; a first Unauthorized reply, `_refused`)
 * re-entered the line through `_mayGo` like a new call: it went to the back, behind every request
 * queued after it, so its events were published after theirs (and a long line ate its timeout).
 * (Found by a review, 29 Nov 2026; it failed before the fix.)
 */
import { TestScheduler } from 'rxjs/testing';
import { createMarbleHarness } from '../../helpers/fake-socket';
import { ok, publishLog, publishes, quiet } from './helpers';

let scheduler: TestScheduler;
beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

describe('publishRateLimit: a request sent again keeps its place in line', () => {
  it('an idempotent publish sent again after a reconnection goes before the requests queued after it', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1, retry: { random: () => 0 } });
      h.client.subscribe('/default/keep').subscribe(quiet);
      h.client.publish('/default/a', [1], { idempotent: true }).subscribe(quiet);
      for (const n of [2, 3]) h.client.publish('/default/a', [n]).subscribe(quiet);
      h.at(10, () => h.accept(0)); // 1 sent at 10 (unanswered); 2 and 3 wait
      h.at(500, () => h.socket(0).serverClose(1006)); // 1 is sent again on the next connection
      h.at(510, () => h.accept(1));
      h.at(6000, () => h.client.close());
      return h;
    });
    expect(publishes(h, 1).map((f) => f.events)).toEqual([['1'], ['2'], ['3']]);
  });

  it('a request sent again after a first Unauthorized reply goes before the requests queued after it', () => {
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1 });
      const outs = [1, 2, 3].map((n) => h.record(h.client.publish('/default/a', [n])));
      h.at(10, () => h.accept(0)); // 1 sent at 10; 2 and 3 wait
      h.at(20, () => h.socket(0).receive({ type: 'publish_error', id: publishes(h)[0]!.id, errors: [{ errorType: 'UnauthorizedException', message: 'token expired' }] }));
      // Answer every request as it goes.
      for (const t of [1061, 2111, 3161]) h.at(t, () => h.socket(0).receive(ok(publishes(h).at(-1))));
      h.at(5000, () => {
        expect(outs.map((o) => o.length)).toEqual([2, 2, 2]);
        h.client.close();
      });
      return h;
    });
    // 1 (refused), then 1 again at the next turn, then 2, then 3.
    expect(publishLog(h).map((s) => [s.frame.events, s.at])).toEqual([
      [['1'], 10],
      [['1'], 1060],
      [['2'], 2110],
      [['3'], 3160],
    ]);
  });
});
