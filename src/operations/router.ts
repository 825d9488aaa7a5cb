import type { Session } from '../connection/connection';
import type { AppSyncEventsError } from '../errors';
import type { ReceiveMessage } from '../protocol/messages';

/**
 * Whoever waits for frames with one operation id, on one session.
 *
 * @example
 * ```ts
 * const handler: RouteHandler = { session, onMessage: (m) => console.log(m.type), onLost: (e) => console.error(e) };
 * ```
 */
export interface RouteHandler {
  readonly session: Session;
  onMessage(message: ReceiveMessage): void;
  /** The session ended before the operation was done; the handler is already unregistered. */
  onLost(error: AppSyncEventsError, willRetry: boolean): void;
}

/**
 * The keyed demultiplexer over inbound frames (ARCHITECTURE.md, "O(1) routing"): one `Map` lookup
 * per frame, whatever the number of open subscriptions and in-flight requests. Frames whose id is
 * unknown (late data after an unsubscribe, replies to abandoned requests) are not routed; they are
 * still visible on `messages$`.
 *
 * @example
 * ```ts
 * const router = new Router();
 * router.register('a1', handler);
 * router.dispatch({ type: 'subscribe_success', id: 'a1' }, session);
 * ```
 */
export class Router {
  private readonly routes = new Map<string, RouteHandler>();

  /** Number of registered operations. */
  get size(): number {
    return this.routes.size;
  }

  /** Whether an id is in use. */
  has(id: string): boolean {
    return this.routes.has(id);
  }

  /** Registers a handler; false when the id is already taken. */
  register(id: string, handler: RouteHandler): boolean {
    if (this.routes.has(id)) return false;
    this.routes.set(id, handler);
    return true;
  }

  /** Replaces the handler of an id (e.g. a subscription that starts unsubscribing). */
  replace(id: string, handler: RouteHandler): void {
    this.routes.set(id, handler);
  }

  /** Removes a handler, only if it is still the one registered for the id. */
  unregister(id: string, handler: RouteHandler): void {
    if (this.routes.get(id) === handler) this.routes.delete(id);
  }

  /** Routes one frame to its operation (hot path). */
  dispatch(message: ReceiveMessage, session: Session): void {
    const id = (message as { readonly id?: string }).id;
    if (id === undefined) return;
    const handler = this.routes.get(id);
    if (handler !== undefined && handler.session === session) handler.onMessage(message);
  }

  /** Tells every operation of a lost session; each is unregistered first. */
  sessionLost(session: Session, error: AppSyncEventsError, willRetry: boolean): void {
    const lost: RouteHandler[] = [];
    for (const [id, handler] of this.routes) {
      if (handler.session === session) {
        this.routes.delete(id);
        lost.push(handler);
      }
    }
    for (const handler of lost) handler.onLost(error, willRetry);
  }
}
