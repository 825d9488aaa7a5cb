/**
 * A set of real `setTimeout`/`setInterval` timers that can all be cleared at once. The emulator is
 * a real server, so it uses wall-clock timers; each connection (and the server) owns one set and
 * clears it when it goes away, which is what lets Jest exit on its own.
 *
 * @example
 * ```ts
 * import { TimerSet } from './timers';
 * const timers = new TimerSet();
 * timers.timeout(() => console.log('later'), 100);
 * timers.clear(); // nothing fires
 * ```
 */
export class TimerSet {
  private readonly timeouts = new Set<ReturnType<typeof setTimeout>>();
  private readonly intervals = new Set<ReturnType<typeof setInterval>>();
  private cleared = false;

  /** Runs `fn` once after `ms`, unless the set is cleared first. */
  timeout(fn: () => void, ms: number): void {
    if (this.cleared) return;
    const handle = setTimeout(() => {
      this.timeouts.delete(handle);
      fn();
    }, ms);
    this.timeouts.add(handle);
  }

  /** Runs `fn` every `ms` until the set is cleared. */
  interval(fn: () => void, ms: number): void {
    if (this.cleared) return;
    const handle = setInterval(fn, ms);
    this.intervals.add(handle);
  }

  /** Clears every pending timer; later calls to `timeout`/`interval` are ignored. */
  clear(): void {
    this.cleared = true;
    for (const t of this.timeouts) clearTimeout(t);
    for (const t of this.intervals) clearInterval(t);
    this.timeouts.clear();
    this.intervals.clear();
  }
}
