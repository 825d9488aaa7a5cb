import { TestScheduler } from 'rxjs/testing';
import { Deadlines } from '../../src/operations/deadlines';

function virtual(run: (scheduler: TestScheduler) => void): void {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  scheduler.run(() => run(scheduler));
}

describe('Deadlines', () => {
  it('fires each deadline exactly at its time, in order, across timeout lengths', () => {
    virtual((s) => {
      const d = new Deadlines(s);
      const fired: string[] = [];
      const at = (name: string) => () => fired.push(`${name}@${s.now()}`);
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
      const a = d.add(50, () => fired.push('a'));
      d.add(60, () => fired.push('b'));
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
      const a = d.add(1000, () => undefined);
      const b = d.add(1000, () => undefined);
      d.cancel(a);
      d.cancel(b);
      expect(s.actions).toHaveLength(0);
      d.add(10, () => undefined);
      s.flush();
      expect(s.actions).toHaveLength(0);
    });
  });

  it('holds one scheduled action however many deadlines are pending', () => {
    virtual((s) => {
      const d = new Deadlines(s);
      for (let i = 0; i < 1000; i++) d.add(15000, () => undefined);
      expect(s.actions).toHaveLength(1);
    });
  });

  it('handles deadlines added and cancelled by a timeout callback', () => {
    virtual((s) => {
      const d = new Deadlines(s);
      const fired: string[] = [];
      const later = d.add(500, () => fired.push(`later@${s.now()}`));
      d.add(100, () => {
        fired.push(`first@${s.now()}`);
        d.cancel(later);
        d.add(50, () => fired.push(`retry@${s.now()}`));
      });
      d.add(300, () => fired.push(`other@${s.now()}`));
      s.flush();
      expect(fired).toEqual(['first@100', 'retry@150', 'other@300']);
    });
  });
});
