const BRAND = Symbol.for('appsync-events-rx.handler-error');

/**
 * Thrown by a namespace handler (`onPublish` / `onSubscribe`) to reject the request, like
 * `util.error(…)` and `util.unauthorized()` in AppSync's handler runtime (protocol reference §7.8).
 *
 * - In `onPublish`: the whole request fails — `publish_error` over WebSocket (errorType
 *   `UnauthorizedException`, or `Unauthorized` when `unauthorized` is set), HTTP 403 with
 *   `UnauthorizedException` for HTTP publish; the message is the handler's.
 * - In `onSubscribe`: `subscribe_error` (errorType `UnauthorizedException`, or `Unauthorized` when
 *   `unauthorized` is set).
 *
 * @example
 * ```ts
 * import { HandlerError, startEventApi } from 'appsync-events-rx/testing';
 * const api = await startEventApi({
 *   namespaces: [{ name: 'chat', onPublish: (ctx) => { if (ctx.events.length > 2) throw new HandlerError('too many'); return ctx.events; } }],
 * });
 * ```
 */
export class HandlerError extends Error {
  /** True for `unauthorized()`: reported with errorType `Unauthorized`. */
  readonly unauthorized: boolean;
  readonly [BRAND] = true;

  constructor(message: string, options: { readonly unauthorized?: boolean } = {}) {
    super(message);
    this.name = 'HandlerError';
    this.unauthorized = options.unauthorized === true;
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /** True for any `HandlerError`, even one from another copy of the package. */
  static is(value: unknown): value is HandlerError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/**
 * Rejects the current request from inside a namespace handler (AppSync's `util.error(message)`).
 *
 * @example
 * ```ts
 * import { handlerError } from 'appsync-events-rx/testing';
 * const onPublish = () => handlerError('publishing is closed');
 * ```
 */
export function handlerError(message: string): never {
  throw new HandlerError(message);
}

/**
 * Denies the current request from inside a namespace handler (AppSync's `util.unauthorized()`):
 * `subscribe_error`/`publish_error` with errorType `Unauthorized` (HTTP publish: 403).
 *
 * @example
 * ```ts
 * import { unauthorized, type HandlerContext } from 'appsync-events-rx/testing';
 * const onSubscribe = (ctx: HandlerContext) => {
 *   if (ctx.info.channel.path.startsWith('/chat/private')) unauthorized();
 * };
 * ```
 */
export function unauthorized(message = 'You are not authorized to make this call.'): never {
  throw new HandlerError(message, { unauthorized: true });
}
