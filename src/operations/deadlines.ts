import type { SchedulerLike, Subscription } from 'rxjs';

/**
 * A pending deadline; pass it back to {@link Deadlines.cancel}.
 *
 * @example
 * ```ts
 * const d: Deadline = deadlines.add(15000, () => fail());
 * ```
 */
export interface Deadline {
  readonly due: number;
}

/**
 * An object to call back on timeout, instead of a closure: a long-lived request object can pass
 * itself, so that arming its deadline allocates nothing but the entry.
 *
 * @example
 * ```ts
 * deadlines.add(15000, { onTimeout: () => fail() });
 * ```
 */
export interface TimeoutHandler {
  onTimeout(): void;
}

interface Entry extends Deadline {
  readonly timeoutMs: number;
  readonly onTimeout: (() => void) | TimeoutHandler;
}

/**
 * Request timeouts without one timer per request: entries are kept per timeout length in insertion
 * order (so the first one of each list is its earliest), and one scheduler action waits for the
 * earliest deadline of all. Adding and cancelling are O(1); 10,000 publishes in flight hold one
 * timer, not 10,000. When nothing is pending no action is scheduled (no timer outlives the last
 * request). All time goes through the injected scheduler, so timeouts stay exact in virtual time.
 *
 * @example
 * ```ts
 * const deadlines = new Deadlines(asyncScheduler);
 * const d = deadlines.add(15000, () => console.log('timed out'));
 * deadlines.cancel(d); // answered in time
 * ```
 */
export class Deadlines {
  private readonly lists = new Map<number, Set<Entry>>();
  private size = 0;
  private action: Subscription | undefined;
  private armedFor = Infinity;
  private firing = false;

  constructor(private readonly scheduler: SchedulerLike) {}

  /** Calls `onTimeout` (a function, or a {@link TimeoutHandler}'s method) once `timeoutMs` have passed, unless cancelled before. */
  add(timeoutMs: number, onTimeout: (() => void) | TimeoutHandler): Deadline {
    const entry: Entry = { due: this.scheduler.now() + timeoutMs, timeoutMs, onTimeout };
    let list = this.lists.get(timeoutMs);
    if (list === undefined) {
      list = new Set();
      this.lists.set(timeoutMs, list);
    }
    list.add(entry);
    this.size++;
    if (!this.firing && entry.due < this.armedFor) this.arm(entry.due);
    return entry;
  }

  /** Forgets a deadline (idempotent). */
  cancel(deadline: Deadline): void {
    const entry = deadline as Entry;
    const list = this.lists.get(entry.timeoutMs);
    if (list === undefined || !list.delete(entry)) return;
    if (list.size === 0) this.lists.delete(entry.timeoutMs);
    this.size--;
    if (this.size === 0 && !this.firing) this.disarm();
    // Otherwise the action stays armed for an earlier deadline than needed; when it fires it finds
    // nothing due and re-arms for the real earliest one.
  }

  private arm(due: number): void {
    this.action?.unsubscribe();
    this.armedFor = due;
    this.action = this.scheduler.schedule(() => this.fire(), Math.max(0, due - this.scheduler.now()));
  }

  private disarm(): void {
    this.action?.unsubscribe();
    this.action = undefined;
    this.armedFor = Infinity;
  }

  private fire(): void {
    this.action = undefined;
    this.armedFor = Infinity;
    const now = this.scheduler.now();
    const expired: Entry[] = [];
    for (const [timeoutMs, list] of this.lists) {
      for (const entry of list) {
        if (entry.due > now) break;
        list.delete(entry);
        this.size--;
        expired.push(entry);
      }
      if (list.size === 0) this.lists.delete(timeoutMs);
    }
    // Callbacks may add or cancel deadlines: arm once, afterwards, for whatever is earliest then.
    this.firing = true;
    try {
      for (const entry of expired) {
        const h = entry.onTimeout;
        if (typeof h === 'function') h();
        else h.onTimeout();
      }
    } finally {
      this.firing = false;
      if (this.size > 0) this.arm(this.earliest());
    }
  }

  private earliest(): number {
    let due = Infinity;
    for (const list of this.lists.values()) {
      for (const entry of list) {
        if (entry.due < due) due = entry.due;
        break;
      }
    }
    return due;
  }
}
