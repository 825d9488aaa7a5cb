import type { SchedulerLike, Subscription } from 'rxjs';

/**
 * Something that can have a deadline: an object called back on timeout. {@link Deadlines} links it
 * into its queue through the `_deadline*` fields (an intrusive list, like Node's own timer lists),
 * so arming a deadline allocates nothing: a request object passes itself.
 *
 * @example
 * ```ts
 * deadlines.add(15000, { _onTimeout: () => fail() });
 * ```
 */
export interface TimeoutHandler {
  _onTimeout(): void;
  /** When it is due (scheduler time); set while pending. */
  _deadlineDue?: number;
  /** The queue holding it while pending, and its neighbours there. */
  _deadlineQueue?: Queue | undefined;
  _deadlinePrev?: TimeoutHandler | undefined;
  _deadlineNext?: TimeoutHandler | undefined;
}

/** The pending deadlines of one timeout length, oldest first (so due order), and the one action waiting for the first. */
interface Queue {
  readonly _timeoutMs: number;
  _head?: TimeoutHandler | undefined;
  _tail?: TimeoutHandler | undefined;
  _action?: Subscription;
}

/**
 * Request timeouts without one timer per request: deadlines are queued per timeout length in
 * insertion order (so the head of each queue is its earliest), and each queue holds one scheduler
 * action, for its head. Adding and cancelling are O(1) pointer updates, without allocation; 10,000
 * publishes in flight with the same timeout hold one timer, not 10,000. An emptied queue is dropped
 * with its action (no timer outlives the last request). All time goes through the injected
 * scheduler, so timeouts stay exact in virtual time.
 *
 * @example
 * ```ts
 * const deadlines = new Deadlines(asyncScheduler);
 * const request = { _onTimeout: () => console.log('timed out') };
 * deadlines.add(15000, request);
 * deadlines.cancel(request); // answered in time
 * ```
 */
export class Deadlines {
  private readonly _queues = new Map<number, Queue>();

  constructor(private readonly _scheduler: SchedulerLike) {}

  /** Calls `handler._onTimeout()` once `timeoutMs` have passed, unless cancelled before; a pending deadline of `handler` is replaced. */
  add(timeoutMs: number, handler: TimeoutHandler): void {
    this.cancel(handler);
    let queue = this._queues.get(timeoutMs);
    if (!queue) this._queues.set(timeoutMs, (queue = { _timeoutMs: timeoutMs }));
    const tail = queue._tail;
    handler._deadlineDue = this._scheduler.now() + timeoutMs;
    handler._deadlineQueue = queue;
    handler._deadlinePrev = tail;
    queue._tail = handler;
    if (tail) tail._deadlineNext = handler;
    else {
      // A queue is armed exactly while it holds deadlines: the first one arms it.
      queue._head = handler;
      this._arm(queue, timeoutMs);
    }
  }

  /** Forgets the pending deadline of `handler`, if any (idempotent). */
  cancel(handler: TimeoutHandler): void {
    const queue = handler._deadlineQueue;
    if (!queue) return;
    const { _deadlinePrev: prev, _deadlineNext: next } = handler;
    if (prev) prev._deadlineNext = next;
    else queue._head = next;
    if (next) next._deadlinePrev = prev;
    else queue._tail = prev;
    handler._deadlineQueue = handler._deadlinePrev = handler._deadlineNext = undefined;
    if (!queue._head) {
      queue._action!.unsubscribe(); // armed while the queue holds deadlines
      this._queues.delete(queue._timeoutMs);
    }
    // Otherwise the action may be armed for a deadline that is gone; when it fires it finds
    // nothing due and re-arms for the queue's new head.
  }

  private _arm(queue: Queue, delay: number): void {
    queue._action = this._scheduler.schedule(() => {
      const now = this._scheduler.now();
      // Each expired deadline leaves the queue (and an emptied queue the map) before its callback
      // runs, so callbacks may add and cancel freely: what they add to this queue is visited too
      // (and re-arms it when not due yet), what they cancel is not.
      for (let head = queue._head; head; head = queue._head) {
        if (head._deadlineDue! > now) return this._arm(queue, head._deadlineDue! - now);
        this.cancel(head);
        head._onTimeout();
      }
    }, delay);
  }
}
