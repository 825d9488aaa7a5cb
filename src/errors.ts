/**
 * Every error the SDK raises is an {@link AppSyncEventsError} subclass with a stable `name` and
 * `code`. The seed Go library's error list maps onto them as follows:
 *
 * | Go seed                      | here                                   |
 * |------------------------------|----------------------------------------|
 * | `ErrChannelNotSubscribed`    | {@link ChannelNotSubscribedError}      |
 * | `ErrTimeout`                 | {@link TimeoutError}                   |
 * | `ErrServerMsg`               | {@link ServerError} (+ {@link UnauthorizedError}) |
 * | `ErrUnsupportedMsgFormat`    | {@link UnsupportedMessageFormatError}  |
 * | `ErrMarshalMsg`              | {@link MarshalError}                   |
 * | `ErrIDExists`                | {@link IdExistsError}                  |
 * | `ErrRecieveMsg`              | {@link ConnectionError}                |
 * | `ErrContextEnded`            | unsubscribing from the Observable (cancellation is not an error) |
 * | `ErrSubscriptionCalled` / `ErrUnsubscriptionCalled` | a second subscribe shares the wire subscription (not an error); a second `unsubscribe(channel)` while the first is pending gets {@link ChannelNotSubscribedError} |
 * | `ErrIDDoesNotExists`, `ErrTypeAssertion` | not reachable: unknown ids are reported on `messages$`, types are checked by the compiler and the decoder |
 *
 * No error message ever contains a credential: server texts pass through {@link scrubSecrets}.
 */
import type { PublishResult } from './operations/events';
import type { MessageError } from './protocol/messages';

const BRAND = Symbol.for('appsync-events-rx.error');

/**
 * Stable codes of every SDK error. Each key, followed by `Error`, is the `name` of the one class
 * that uses the code (`Timeout` → `TimeoutError`): the base class names every error from this table.
 *
 * @example
 * ```ts
 * import { AppSyncEventsError, ErrorCode } from 'appsync-events-rx';
 * client.publish('/default/a', [1]).subscribe({ error: (e) => AppSyncEventsError.is(e) && e.code === ErrorCode.Timeout && console.log('try again later') });
 * ```
 */
export const ErrorCode = {
  Validation: 'VALIDATION',
  ChannelNotSubscribed: 'CHANNEL_NOT_SUBSCRIBED',
  Timeout: 'TIMEOUT',
  Server: 'SERVER_ERROR',
  Unauthorized: 'UNAUTHORIZED',
  UnsupportedMessageFormat: 'UNSUPPORTED_MESSAGE_FORMAT',
  Marshal: 'MARSHAL_FAILED',
  IdExists: 'ID_EXISTS',
  Connection: 'CONNECTION_FAILED',
  ConnectionClosed: 'CONNECTION_CLOSED',
  KeepAliveTimeout: 'KEEP_ALIVE_TIMEOUT',
  PublishOutcomeUnknown: 'PUBLISH_OUTCOME_UNKNOWN',
  PartialPublish: 'PUBLISH_PARTIAL',
} as const;
/** Union of {@link ErrorCode} values. @example `const c: ErrorCode = 'TIMEOUT';` */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Base class of every error the SDK raises. `AppSyncEventsError.is(x)` works across realms and
 * duplicated package copies, where `instanceof` may not.
 *
 * @example
 * ```ts
 * import { AppSyncEventsError } from 'appsync-events-rx';
 * client.publish('/default/a', [1]).subscribe({ error: (e) => AppSyncEventsError.is(e) && console.log(e.code) });
 * ```
 */
export class AppSyncEventsError extends Error {
  /** The class name (`'TimeoutError'`), stable across minifiers. */
  override readonly name: string;
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  declare readonly [BRAND]: true;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    // A native class (ES2015+ target) keeps the prototype chain; `cause` is the standard ES2022 one
    // (own, not enumerable, so not in `toJSON`). Subclasses pass `{ cause }` whether or not they
    // got one: an undefined cause is left out, or `console.log` would show `[cause]: undefined`.
    super(message, options?.cause === undefined ? undefined : options);
    // Named from the code's key (see ErrorCode), not `new.target.name`: an application's minifier
    // renames classes, and `name` must stay stable (`String(error)`, logs, `error.name === 'TimeoutError'`).
    this.name = `${Object.keys(ErrorCode).find((key) => ErrorCode[key as keyof typeof ErrorCode] === code)}Error`;
    this.code = code;
  }

  /** True for any SDK error (optionally of one `code`), even from another copy of the package. */
  static is(value: unknown, code?: ErrorCode): value is AppSyncEventsError {
    // Codes are non-empty strings, so `!code` means "any code".
    return (value as Record<symbol, unknown> | undefined)?.[BRAND] === true && (!code || (value as { code?: unknown }).code === code);
  }

  /** A plain object with the public fields, for logs (`JSON.stringify(error)`). */
  toJSON(): Record<string, unknown> {
    // Own enumerable fields only (`name` and `code` first, as assigned): `cause` (not enumerable)
    // and the brand (on the prototype) stay out; `message` is not enumerable, so added.
    return { ...(this as object), message: this.message };
  }
}
// The brand lives on the prototype: one property for all instances, inherited by every subclass.
(AppSyncEventsError.prototype as { [BRAND]: true })[BRAND] = true;

/**
 * Bad input caught before anything was sent: an invalid channel, a wildcard where none is allowed,
 * no events, an event over 240 KB, an invalid id or configuration. `reason` says which.
 *
 * @example
 * ```ts
 * import { ValidationError } from 'appsync-events-rx';
 * client.publish('/default/*', [1]).subscribe({ error: (e) => e instanceof ValidationError && console.log(e.reason) });
 * ```
 */
export class ValidationError extends AppSyncEventsError {
  constructor(
    /** Which rule was broken. */
    readonly reason:
      | 'INVALID_CHANNEL'
      | 'WILDCARD_NOT_ALLOWED'
      | 'NO_EVENTS'
      | 'EVENT_TOO_LARGE'
      | 'INVALID_ID'
      | 'INVALID_CONFIG'
      | 'INVALID_ARGUMENT'
      | 'AUTH_PROVIDER_FAILED',
    message: string,
    /** For per-event problems: the event's index in the caller's array. */
    readonly index?: number,
    /** What made the check fail (a thrown error), kept as the standard non-enumerable `cause`. */
    cause?: unknown,
  ) {
    super(ErrorCode.Validation, message, { cause });
  }

  /**
   * With `AUTH_PROVIDER_FAILED`: the auth or credentials provider's own error, for debugging. Not
   * enumerable and not the `cause`, so that `console.log`, `util.inspect`, `JSON.stringify` and
   * `String` leave it out: its message may quote a credential.
   */
  declare readonly providerError?: unknown;
}

/**
 * Keeps what a provider threw on `error` as its non-enumerable `providerError`; returns `error`.
 *
 * @example
 * ```ts
 * onError(withProviderError(new ValidationError('AUTH_PROVIDER_FAILED', 'auth provider failed for connect: TypeError'), thrown));
 * ```
 */
export function withProviderError<E extends ValidationError>(error: E, thrown: unknown): E {
  return Object.defineProperty(error, 'providerError', { value: thrown });
}

/**
 * `unsubscribe(channel)` was called for a channel with no live subscription (seed
 * `ErrChannelNotSubscribed`).
 *
 * @example
 * ```ts
 * import { ChannelNotSubscribedError } from 'appsync-events-rx';
 * await client.unsubscribe('/default/x').catch((e) => e instanceof ChannelNotSubscribedError);
 * ```
 */
export class ChannelNotSubscribedError extends AppSyncEventsError {
  constructor(readonly channel: string) {
    super(ErrorCode.ChannelNotSubscribed, `channel ${channel} is not subscribed`);
  }
}

/**
 * The server did not answer in time (seed `ErrTimeout`): no `connection_ack`, or no reply to a
 * subscribe, unsubscribe or publish within the configured timeout.
 *
 * @example
 * ```ts
 * import { TimeoutError } from 'appsync-events-rx';
 * client.publish('/default/a', [1]).subscribe({ error: (e) => e instanceof TimeoutError && console.log(e.operation, e.timeoutMs) });
 * ```
 */
export class TimeoutError extends AppSyncEventsError {
  constructor(
    readonly operation: OperationKind,
    readonly timeoutMs: number,
  ) {
    super(ErrorCode.Timeout, `no reply to ${operation} within ${timeoutMs} ms`);
  }
}

/**
 * The operations that can fail with a server reply or a timeout.
 *
 * @example
 * ```ts
 * import type { OperationKind } from 'appsync-events-rx';
 * const op: OperationKind = 'publish';
 * ```
 */
export type OperationKind = 'connect' | 'subscribe' | 'unsubscribe' | 'publish' | 'http-publish';

/**
 * The server answered with errors (seed `ErrServerMsg`): `connection_error`, `subscribe_error`,
 * `unsubscribe_error`, `publish_error`, an `error` frame, or a non-2xx HTTP publish. `errors` holds
 * the server's `errors[]` (credential-like text scrubbed).
 *
 * @example
 * ```ts
 * import { ServerError } from 'appsync-events-rx';
 * client.subscribe('/nope/a').subscribe({ error: (e) => e instanceof ServerError && console.log(e.errors[0]?.errorType) });
 * ```
 */
export class ServerError extends AppSyncEventsError {
  readonly errors: readonly MessageError[];
  constructor(
    readonly operation: OperationKind,
    errors: readonly MessageError[],
    /** HTTP status, for HTTP publish. */
    readonly status?: number,
    code: ErrorCode = ErrorCode.Server,
  ) {
    const clean = errors.map((e) => (e.message ? { ...e, message: scrubSecrets(e.message) } : e));
    super(code, `${operation} failed: ${clean.map((e) => (e.message ? `${e.errorType}: ${e.message}` : e.errorType)).join('; ') || 'no details'}`);
    this.errors = clean;
  }
}

/**
 * The server refused the credentials (`UnauthorizedException`, `Unauthorized`,
 * `NotAuthorizedException`, or error code 401/403).
 *
 * @example
 * ```ts
 * import { UnauthorizedError } from 'appsync-events-rx';
 * client.connect().catch((e) => { if (e instanceof UnauthorizedError) console.warn('credentials refused:', e.errors[0]?.errorType); });
 * ```
 */
export class UnauthorizedError extends ServerError {
  constructor(operation: OperationKind, errors: readonly MessageError[], status?: number) {
    super(operation, errors, status, ErrorCode.Unauthorized);
  }
}

const AUTH_ERROR_TYPE = /^(Unauthorized(Exception)?|(NotAuthorized|Forbidden)Exception)$/;

/**
 * Whether a server error list says the credentials were refused.
 *
 * @example
 * ```ts
 * import { isAuthorizationFailure } from 'appsync-events-rx';
 * isAuthorizationFailure([{ errorType: 'UnauthorizedException' }]); // true
 * ```
 */
export function isAuthorizationFailure(errors: readonly MessageError[]): boolean {
  return errors.some((e) => AUTH_ERROR_TYPE.test(e.errorType) || [401, 403].includes(e.errorCode as number));
}

/**
 * Builds the right {@link ServerError} subclass for a server error list.
 *
 * @example
 * ```ts
 * import { serverError } from 'appsync-events-rx/protocol';
 * serverError('subscribe', [{ errorType: 'Unauthorized' }]).code; // 'UNAUTHORIZED'
 * ```
 */
export function serverError(operation: OperationKind, errors: readonly MessageError[], status?: number): ServerError {
  return isAuthorizationFailure(errors) ? new UnauthorizedError(operation, errors, status) : new ServerError(operation, errors, status);
}

/**
 * A frame from the server could not be decoded (seed `ErrUnsupportedMsgFormat`). Reported on
 * `protocolErrors$` (or as the `cause` of a {@link PublishOutcomeUnknownError} for a malformed
 * publish reply), never thrown inside the socket listener.
 *
 * @example
 * ```ts
 * import { UnsupportedMessageFormatError } from 'appsync-events-rx';
 * const e = new UnsupportedMessageFormatError('frame is not JSON', 'oops');
 * console.log(e.excerpt);
 * ```
 */
export class UnsupportedMessageFormatError extends AppSyncEventsError {
  constructor(
    readonly detail: string,
    /** The start of the offending frame (at most 200 characters). */
    readonly excerpt: string,
  ) {
    // The class name says what kind of problem it is: `UnsupportedMessageFormatError: frame is not JSON`.
    super(ErrorCode.UnsupportedMessageFormat, detail);
  }
}

/**
 * An event could not be serialised to JSON (seed `ErrMarshalMsg`): `undefined`, a function, a
 * `BigInt`, a cycle, or a `toJSON` that throws.
 *
 * @example
 * ```ts
 * import { MarshalError } from 'appsync-events-rx';
 * client.publish('/default/a', [10n]).subscribe({ error: (e) => e instanceof MarshalError && console.log(e.index) });
 * ```
 */
export class MarshalError extends AppSyncEventsError {
  constructor(
    readonly index: number,
    cause?: unknown,
  ) {
    super(ErrorCode.Marshal, `event ${index} is not JSON-serialisable${cause instanceof Error ? `: ${cause.message}` : ''}`, { cause });
  }
}

/**
 * The id generator returned an id that is already in use (seed `ErrIDExists`). An id that breaks
 * the id grammar is a {@link ValidationError} (`INVALID_ID`).
 *
 * @example
 * ```ts
 * import { IdExistsError } from 'appsync-events-rx';
 * const e = new IdExistsError('abc');
 * ```
 */
export class IdExistsError extends AppSyncEventsError {
  constructor(readonly id: string) {
    super(ErrorCode.IdExists, `id ${id} is already in use`);
  }
}

/**
 * The WebSocket failed: it could not be opened, or it closed unexpectedly (seed `ErrRecieveMsg`).
 * `closeCode`/`closeReason` are the WebSocket close frame's, when there was one.
 *
 * @example
 * ```ts
 * import { ConnectionError } from 'appsync-events-rx';
 * client.connectionState$.subscribe((s) => s.status === 'closed' && s.error instanceof ConnectionError && console.log(s.error.closeCode));
 * ```
 */
export class ConnectionError extends AppSyncEventsError {
  constructor(
    message: string,
    readonly closeCode?: number,
    closeReason?: string,
    cause?: unknown,
  ) {
    super(ErrorCode.Connection, scrubSecrets(message), { cause });
    if (closeReason !== undefined) this.closeReason = scrubSecrets(closeReason);
    const status = /server response: (\d{3})/.exec(message);
    if (status) this.httpStatus = Number(status[1]);
  }

  /** The close frame's reason, scrubbed of anything credential-like. */
  readonly closeReason?: string;

  /** HTTP status of a refused WebSocket upgrade, when the platform reports it (Node does, browsers don't). */
  readonly httpStatus?: number;
}

/**
 * The operation could not complete because the client was closed before the operation was sent
 * (a publish already sent gets a {@link PublishOutcomeUnknownError} with this as its `cause`).
 *
 * @example
 * ```ts
 * import { ConnectionClosedError } from 'appsync-events-rx';
 * const e = new ConnectionClosedError('publish');
 * ```
 */
export class ConnectionClosedError extends AppSyncEventsError {
  constructor(readonly operation: OperationKind | 'client') {
    super(ErrorCode.ConnectionClosed, `connection closed before ${operation} completed`);
  }
}

/**
 * No frame arrived within `connectionTimeoutMs` of the previous one: the connection is presumed
 * dead.
 *
 * @example
 * ```ts
 * import { KeepAliveTimeoutError } from 'appsync-events-rx';
 * const e = new KeepAliveTimeoutError(300000);
 * ```
 */
export class KeepAliveTimeoutError extends AppSyncEventsError {
  constructor(readonly timeoutMs: number) {
    super(ErrorCode.KeepAliveTimeout, `nothing received for ${timeoutMs} ms`);
  }
}

/**
 * A publish frame was sent but the socket dropped before its reply: the events may or may not
 * have been published. Never retried silently.
 *
 * @example
 * ```ts
 * import { PublishOutcomeUnknownError } from 'appsync-events-rx';
 * const e = new PublishOutcomeUnknownError('/default/a', [0, 1]);
 * ```
 */
export class PublishOutcomeUnknownError extends AppSyncEventsError {
  constructor(
    readonly channel: string,
    /** Indices (in the caller's array) whose outcome is unknown. */
    readonly indices: readonly number[],
    cause?: unknown,
  ) {
    // The cause says why: the connection was lost (most often), or the reply was malformed.
    super(ErrorCode.PublishOutcomeUnknown, `publish to ${channel}: outcome unknown (${AppSyncEventsError.is(cause, ErrorCode.UnsupportedMessageFormat) ? 'malformed reply' : 'connection lost'})`, {
      cause,
    });
  }
}

/**
 * A publish of more than five events (sent as several requests, one after the other) failed after
 * some of its requests were answered. `result` is what those did, by index in the caller's array;
 * `cause` is why the rest failed: the error a publish of five events would have failed with (its
 * events, and those of the requests not sent, are in neither list of `result`; with a
 * {@link PublishOutcomeUnknownError} cause, its `indices` are the events whose outcome is unknown).
 * Retry the events that are not in `result.successful`.
 *
 * @example
 * ```ts
 * import { PartialPublishError } from 'appsync-events-rx';
 * const events = Array.from({ length: 12 }, (_, i) => ({ i }));
 * client.publish('/default/a', events).subscribe({
 *   error: (e) => { if (e instanceof PartialPublishError) console.warn('published', e.result.successful, 'then', e.cause); },
 * });
 * ```
 */
export class PartialPublishError extends AppSyncEventsError {
  declare readonly cause: AppSyncEventsError;
  readonly result: PublishResult;
  constructor(
    readonly channel: string,
    result: PublishResult,
    cause: AppSyncEventsError,
  ) {
    super(ErrorCode.PartialPublish, `publish to ${channel} failed partway (events published: ${result.successful.length}): ${cause.message}`, { cause });
    // A copy, with the service's reasons scrubbed (a handler may quote a credential): it is in `toJSON()`.
    this.result = { successful: [...result.successful], failed: result.failed.map((f) => (f.message ? { ...f, message: scrubSecrets(f.message) } : f)) };
  }
}

// One pass over the text. Group 1 keeps a field name (`x-api-key:`, `"authorization":"`, the same
// inside escaped JSON `\"authorization\":\"`, `…=`) and drops an optional `Bearer `; the value
// runs to a delimiter, escapes included (`\/`), but not past an escaped quote. Group 2 keeps the
// SigV4 `Signature=`/`Credential=` prefix (the credential scope after the access key id stays);
// then a bare API key; then, after group 3 (what precedes it), a JWT or a `header-` subprotocol
// (base64url of an authorization object, so `eyJ…`), group 4 keeping `header-`. A JWT only starts
// where no word character or `-` precedes, so a long run of `-eyJ` is scanned once, not once per
// `eyJ` (linear time on any input); the price: a JWT glued to a word (`id-token-eyJ…`) is not
// recognised by its shape, only by a field name before it.
const SECRETS =
  /((?:x-api-key|authorization|x-amz-(?:security-token|signature|credential))\\?"?\s*[:=]\s*\\?"?)(?:Bearer\s+)?(?:\\[^"]|[^\s",;&\\])+|((?:Signature|Credential)=)[\da-z]+|\bda2-[a-z0-9]{20,}\b|(^|[^\w-])(?:eyJ[\w-]{10,}\.[\w-]+\.[\w-]*|(header-)eyJ[\w-]{13,})/gi;

/**
 * Removes anything that looks like a credential (API key, bearer/JWT token, SigV4 signature,
 * session token, access key id) from a server-supplied text. The service's SigV4 mismatch message
 * quotes the canonical request, session token included; this keeps it out of errors and logs.
 *
 * @example
 * ```ts
 * import { scrubSecrets } from 'appsync-events-rx/protocol';
 * scrubSecrets('x-api-key:da2-abcdefghijklmnopqrstuvwxyz'); // 'x-api-key:[redacted]'
 * ```
 */
export function scrubSecrets(text: string): string {
  return text.replace(SECRETS, '$1$2$3$4[redacted]');
}

/**
 * What an error may quote of a server's text: its first 200 characters, credentials removed
 * (scrubbed before the cut; of a long text, about its first 1,000 characters, cut between tokens).
 *
 * @example
 * ```ts
 * excerpt('{"x-api-key":"da2-abcdefghijklmnopqrstuvwxyz"}'); // '{"x-api-key":"[redacted]"}'
 * ```
 */
export function excerpt(text: string): string {
  // A long text is cut between tokens, never in one (half a credential may be too short to be
  // recognised, and scrubbing what precedes it can bring it into the 200 characters quoted): the
  // token at the cut is kept whole up to 8,000 characters, else left out.
  const between = (i: number): boolean => ' \t\n\r",;&'.includes(text[i]!);
  let end = 1000;
  while (end < text.length && end < 8000 && !between(end)) end++;
  if (end < text.length && !between(end)) while (end > 0 && !between(end - 1)) end--;
  return clip(scrubSecrets(text.slice(0, end)), 200);
}

/**
 * `text` cut to at most `max` characters (ending in `...` when cut), for quoting input in messages.
 *
 * @example
 * ```ts
 * clip('x'.repeat(100)).length; // 80
 * ```
 */
export function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
