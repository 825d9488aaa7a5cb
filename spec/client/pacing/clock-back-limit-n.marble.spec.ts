/**
 * publishRateLimit after a wall clock set back, with a limit above 1: every remembered send time
 * after now counts as now, so the requests after the step wait one window at most. A version that
 * clamped only the oldest time sent them one per window (with the default 25: 26 s to send 25
 * requests); found by a review, 29 Nov 2026, and this test failed on it.
 */
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createMarbleHarness } from '../../helpers/fake-socket';
import { publishLog } from './helpers';

describe('publishRateLimit: a wall clock set back, limit above 1', () => {
  it('holds the requests after the step back one window at most (limit 3)', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    let offset = 0;
    const wallClock: SchedulerLike = {
      now: () => scheduler.now() + offset,
      schedule: <T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription => scheduler.schedule(work, delay, state),
    };
    const h = scheduler.run(() => {
      const h = createMarbleHarness(scheduler, { publishRateLimit: 3, scheduler: wallClock });
      h.client.subscribe('/default/keep').subscribe({ error: () => undefined });
      const quiet = { error: () => undefined };
      for (const n of [1, 2, 3]) h.client.publish('/default/a', [n]).subscribe(quiet);
      h.at(10, () => h.accept(0));
      h.at(100, () => (offset = -3_600_000)); // set back one hour
      h.at(2000, () => {
        for (const n of [4, 5, 6]) h.client.publish('/default/a', [n]).subscribe(quiet);
      });
      h.at(10_000, () => h.client.close());
      return h;
    });
    const times = publishLog(h).map((s) => s.at!);
    expect(times.slice(0, 3)).toEqual([10, 10, 10]);
    // 3050, 4100, 5150 on the current code.
    for (const at of times.slice(3)) expect(at).toBeLessThanOrEqual(2000 + 1050);
  });
});
