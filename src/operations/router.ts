import type { Session } from '../connection/connection';
import type { AppSyncEventsError } from '../errors';
import type { ReceiveMessage } from '../protocol/messages';

/**
 * Whoever waits for frames with one operation id, on one session.
 *
 * @example
 * ```ts
 * const handler: RouteHandler = { _session: session, _onMessage: (m) => console.log(m.type), _onLost: (e) => console.error(e) };
 * ```
 */
export interface RouteHandler {
  readonly _session: Session;
  _onMessage(message: ReceiveMessage): void;
  /** The session ended before the operation was done; the handler is already unregistered. */
  _onLost(error: AppSyncEventsError, willRetry: boolean): void;
}

/**
 * The keyed demultiplexer over inbound frames (ARCHITECTURE.md, "O(1) routing"): a `Map` from
 * operation id to handler, so one lookup per frame, whatever the number of open subscriptions and
 * in-flight requests. Frames whose id is unknown (late data after an unsubscribe, replies to
 * abandoned requests) are not routed; they are still visible on `messages$`.
 *
 * @example
 * ```ts
 * const router = new Router();
 * router.set('a1', handler);
 * router._dispatch({ type: 'subscribe_success', id: 'a1' }, session);
 * ```
 */
export class Router extends Map<string, RouteHandler> {
  /** Removes a handler, only if it is still the one registered for the id (any id, even `undefined`, may be passed). */
  _unregister(id: string | undefined, handler: RouteHandler): void {
    if (this.get(id as string) === handler) this.delete(id as string);
  }

  /** Routes one frame to its operation (hot path); a frame without an id finds no handler. */
  _dispatch(message: ReceiveMessage, session: Session): void {
    const handler = this.get((message as { readonly id: string }).id);
    if (handler?._session === session) handler._onMessage(message);
  }

  /** Tells every operation of a lost session; all are unregistered before the first is told. */
  _sessionLost(session: Session, error: AppSyncEventsError, willRetry: boolean): void {
    const lost: RouteHandler[] = [];
    // Deleting the entry just visited is safe while iterating a Map.
    for (const [id, handler] of this) if (handler._session === session && this.delete(id)) lost.push(handler);
    for (const handler of lost) handler._onLost(error, willRetry);
  }
}
