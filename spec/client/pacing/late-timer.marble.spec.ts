/**
 * publishRateLimit counts the time a request was really sent. In the first design (found by a
 * review, 29 Nov 2026; this test failed on it), it recorded the planned time: a timer that fired
 * late (a busy event loop: GC, a large JSON.parse, a CPU-bound handler) sent its request later than
 * planned, while the request N turns after it was still timed from the plan, so the two could land
 * less than a window apart and the service refuse the second.
 *
 * Simulated here with a scheduler whose timers due at 1060 fire 200 ms late (a busy event loop
 * between 1060 and 1260; the later timers are on time).
 */
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createMarbleHarness } from '../../helpers/fake-socket';
import { ok, publishLog, publishes } from './helpers';

describe('publishRateLimit: a timer that fires late', () => {
  it('never puts two requests closer than a window (limit 1), even when the earlier one was sent late', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const BUSY_UNTIL = 1260;
    const busyLoop: SchedulerLike = {
      now: () => scheduler.now(),
      schedule: <T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription => {
        const due = scheduler.now() + delay;
        // The loop is blocked from 1060 to 1260: what was due meanwhile runs at 1260.
        const late = due >= 1060 && due < BUSY_UNTIL ? BUSY_UNTIL - due : 0;
        return scheduler.schedule(work, delay + late, state);
      },
    };
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 1, scheduler: busyLoop });
      for (const n of [1, 2, 3]) h.client.publish('/default/a', [n]).subscribe({ error: () => undefined });
      h.at(10, () => {
        h.accept(0);
        h.socket(0).receive(ok(publishes(h)[0]));
      });
      h.at(5000, () => h.client.close());
      return h;
    });
    const times = publishLog(h).map((s) => s.at!);
    expect(times).toHaveLength(3);
    // Request 2 went at 1260 (late); request 3 must not go before 1260 + 1050.
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1050);
  });
});
