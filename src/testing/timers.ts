/**
 * Longest delay Node's `setTimeout`/`setInterval` honour: 2^31-1 ms (about 24.8 days). Node runs a
 * longer delay (`Infinity` included) after 1 ms instead, so {@link TimerSet} treats anything longer
 * as "never".
 *
 * @example
 * ```ts
 * import { MAX_TIMER_MS } from './timers';
 * const never = 60_000 > MAX_TIMER_MS; // false: a minute is scheduled normally
 * ```
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * A set of real `setTimeout`/`setInterval` timers that can all be cleared at once. The emulator is
 * a real server, so it uses wall-clock timers; each connection (and the server) owns one set and
 * clears it when it goes away, which is what lets Jest exit on its own.
 *
 * A delay above {@link MAX_TIMER_MS} (such as `Infinity`) means "never": nothing is scheduled, so
 * nothing fires and nothing is left to keep the process alive. Callers validate delays; a delay
 * that is not a number above the limit (`NaN`, negative) is handed to Node as it is.
 *
 * @example
 * ```ts
 * import { TimerSet } from './timers';
 * const timers = new TimerSet();
 * timers.timeout(() => console.log('later'), 100);
 * timers.interval(() => console.log('never'), Infinity); // schedules nothing
 * timers.clear(); // nothing fires
 * ```
 */
export class TimerSet {
  private readonly timeouts = new Set<ReturnType<typeof setTimeout>>();
  private readonly intervals = new Set<ReturnType<typeof setInterval>>();
  private cleared = false;

  /** Runs `fn` once after `ms`, unless the set is cleared first; never when `ms` > {@link MAX_TIMER_MS}. */
  timeout(fn: () => void, ms: number): void {
    if (this.cleared || ms > MAX_TIMER_MS) return;
    const handle = setTimeout(() => {
      this.timeouts.delete(handle);
      fn();
    }, ms);
    this.timeouts.add(handle);
  }

  /** Runs `fn` every `ms` until the set is cleared; never when `ms` > {@link MAX_TIMER_MS}. */
  interval(fn: () => void, ms: number): void {
    if (this.cleared || ms > MAX_TIMER_MS) return;
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
