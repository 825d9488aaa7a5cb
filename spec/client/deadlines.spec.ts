import { TestScheduler } from 'rxjs/testing';
import { Deadlines, type TimeoutHandler } from '../../src/operations/deadlines';

/** A request object with a deadline (what an operation passes: itself). */
const handler = (onTimeout: () => unknown = () => undefined): TimeoutHandler => ({ _onTimeout: () => void onTimeout() });

function virtual(run: (scheduler: TestScheduler) => void): void {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  scheduler.run(() => run(scheduler));
}

describe('Deadlines', () => {
  it('fires each deadline exactly at its time, in order, across timeout lengths', () => {
    virtual((s) => {
      const d = new Deadlines(s);
      const fired: string[] = [];
      const at = (name: string) => handler(() => fired.push(`${name}@${s.now()}`));
      d.add(100, at('a'));
      s.schedule(() => d.add(30, at('b')), 10);
      s.schedule(() => d.add(100, at('c')), 20);
      s.schedule(() => d.add(5, at('e')), 200);
      s.flush();
      expect(fired).toEqual(['b@40', 'a@100', 'c@120', 'e@205']);
    });
  });

  it('never fires a cancelled deadline, and cancelling twice is harmless', () => {
    virtual((s) => {
      const d = new Deadlines(s);
      const fired: string[] = [];
      const a = handler(() => fired.push('a'));
      d.add(50, a);
      d.add(60, handler(() => fired.push('b')));
      s.schedule(() => {
        d.cancel(a);
        d.cancel(a);
      }, 10);
      s.flush();
      expect(fired).toEqual(['b']);
    });
  });

  it('leaves no scheduled action once nothing is pending', () => {
    virtual((s) => {
      const d = new Deadlines(s);
      const [a, b] = [handler(), handler()];
      d.add(1000, a);
      d.add(1000, b);
      d.cancel(a);
      d.cancel(b);
      expect(s.actions).toHaveLength(0);
      d.add(10, handler());
      s.flush();
      expect(s.actions).toHaveLength(0);
    });
  });

  it('holds one scheduled action however many deadlines are pending', () => {
    virtual((s) => {
      const d = new Deadlines(s);
      for (let i = 0; i < 1000; i++) d.add(15000, handler());
      expect(s.actions).toHaveLength(1);
    });
  });

  it('handles deadlines added and cancelled by a timeout callback', () => {
    virtual((s) => {
      const d = new Deadlines(s);
      const fired: string[] = [];
      const later = handler(() => fired.push(`later@${s.now()}`));
      d.add(500, later);
      d.add(
        100,
        handler(() => {
          fired.push(`first@${s.now()}`);
          d.cancel(later);
          d.add(50, handler(() => fired.push(`retry@${s.now()}`)));
        }),
      );
      d.add(300, handler(() => fired.push(`other@${s.now()}`)));
      s.flush();
      expect(fired).toEqual(['first@100', 'retry@150', 'other@300']);
    });
  });

  it('cancels from the middle, the head and the tail of a queue, and re-arming replaces the pending deadline', () => {
    virtual((s) => {
      const d = new Deadlines(s);
      const fired: string[] = [];
      const hs = ['a', 'b', 'c', 'd', 'e'].map((name) => Object.assign(handler(() => fired.push(`${name}@${s.now()}`)), { name }));
      hs.forEach((h, i) => s.schedule(() => d.add(100, h), i));
      s.schedule(() => {
        d.cancel(hs[2]!); // middle
        d.cancel(hs[0]!); // head
        d.cancel(hs[4]!); // tail
        d.add(100, hs[1]!); // re-armed: due at 110, after d (103)
      }, 10);
      s.flush();
      expect(fired).toEqual(['d@103', 'b@110']);
      expect(s.actions).toHaveLength(0);
    });
  });

  it('fires a callback that re-arms itself on the same timeout length', () => {
    virtual((s) => {
      const d = new Deadlines(s);
      const fired: number[] = [];
      const h: TimeoutHandler = {
        _onTimeout: () => {
          fired.push(s.now());
          if (fired.length < 3) d.add(40, h);
        },
      };
      d.add(40, h);
      s.flush();
      expect(fired).toEqual([40, 80, 120]);
      expect(s.actions).toHaveLength(0);
    });
  });
});
