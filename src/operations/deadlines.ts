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
  readonly _due: number;
}

/**
 * An object to call back on timeout, instead of a closure: a long-lived request object can pass
 * itself, so that arming its deadline allocates nothing but the entry.
 *
 * @example
 * ```ts
 * deadlines.add(15000, { _onTimeout: () => fail() });
 * ```
 */
export interface TimeoutHandler {
  _onTimeout(): void;
}

interface Entry extends Deadline {
  readonly _timeoutMs: number;
  readonly _handler: (() => void) | TimeoutHandler;
}

/** The pending deadlines of one timeout length, in insertion order (so due order), and the one action waiting for the first. */
type Queue = Set<Entry> & { _action?: Subscription };

/**
 * Request timeouts without one timer per request: deadlines are queued per timeout length in
 * insertion order (so the first of each queue is its earliest), and each queue holds one scheduler
 * action, for its first deadline. Adding and cancelling are O(1); 10,000 publishes in flight with
 * the same timeout hold one timer, not 10,000. An empty queue is dropped with its action (no timer
 * outlives the last request). All time goes through the injected scheduler, so timeouts stay
 * exact in virtual time.
 *
 * @example
 * ```ts
 * const deadlines = new Deadlines(asyncScheduler);
 * const d = deadlines.add(15000, () => console.log('timed out'));
 * deadlines.cancel(d); // answered in time
 * ```
 */
export class Deadlines {
  private readonly _queues = new Map<number, Queue>();

  constructor(private readonly _scheduler: SchedulerLike) {}

  /** Calls `onTimeout` (a function, or a {@link TimeoutHandler}'s method) once `timeoutMs` have passed, unless cancelled before. */
  add(timeoutMs: number, onTimeout: (() => void) | TimeoutHandler): Deadline {
    let queue = this._queues.get(timeoutMs);
    if (!queue) this._queues.set(timeoutMs, (queue = new Set()));
    const entry: Entry = { _due: this._scheduler.now() + timeoutMs, _timeoutMs: timeoutMs, _handler: onTimeout };
    // A queue is armed exactly while it holds deadlines: the first one arms it.
    if (queue.add(entry).size === 1) this._arm(queue, timeoutMs, timeoutMs);
    return entry;
  }

  /** Forgets a deadline (idempotent; `undefined` is ignored). */
  cancel(deadline: Deadline | undefined): void {
    const timeoutMs = (deadline as Entry | undefined)?._timeoutMs as number;
    const queue = this._queues.get(timeoutMs);
    if (queue?.delete(deadline as Entry) && !queue.size) {
      queue._action!.unsubscribe(); // armed while the queue holds deadlines
      this._queues.delete(timeoutMs);
    }
    // Otherwise the action may be armed for a deadline that is gone; when it fires it finds
    // nothing due and re-arms for the queue's new first one.
  }

  private _arm(queue: Queue, timeoutMs: number, delay: number): void {
    queue._action = this._scheduler.schedule(() => {
      const now = this._scheduler.now();
      // Each expired deadline leaves the queue (and an emptied queue the map) before its callback
      // runs, so callbacks may add and cancel freely: what they add to this queue is visited too
      // (and re-arms it when not due yet), what they cancel is not.
      for (const entry of queue) {
        if (entry._due > now) return this._arm(queue, timeoutMs, entry._due - now);
        queue.delete(entry);
        if (!queue.size) this._queues.delete(timeoutMs);
        const handler = entry._handler;
        if (typeof handler === 'function') handler();
        else handler._onTimeout();
      }
    }, delay);
  }
}
