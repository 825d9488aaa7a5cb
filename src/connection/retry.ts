import { AppSyncEventsError, ConnectionError, ServerError, UnauthorizedError, ValidationError } from '../errors';

/**
 * Reconnection policy: exponential backoff with full jitter. The delay before retry number `n`
 * (1-based) is `random() × min(maxDelayMs, initialDelayMs × factor^(n-1))`.
 *
 * @example
 * ```ts
 * import { createEventsClient } from 'appsync-events-rx';
 * createEventsClient({ httpEndpoint, auth, retry: { initialDelayMs: 500, maxAttempts: 10 } });
 * ```
 */
export interface RetryOptions {
  /**
   * Upper bound of the first delay. Small, because the common case is a blip (a server-side close,
   * a network change) after which the first retry succeeds; full jitter spreads a fleet of clients
   * reconnecting at once. @default 200
   */
  readonly initialDelayMs?: number;
  /** Largest delay bound. @default 30000 */
  readonly maxDelayMs?: number;
  /** Growth of the bound per failed attempt. @default 2 */
  readonly factor?: number;
  /**
   * Most reconnection attempts in a row (retries, not counting the first attempt); the failure after
   * the last one is terminal. A connection that stays up `resetAfterMs` starts a new series.
   * @default Infinity (transient failures are retried for as long as something needs the connection)
   */
  readonly maxAttempts?: number;
  /** A connection that stayed acknowledged at least this long resets the backoff. @default 10000 */
  readonly resetAfterMs?: number;
  /** Random source in [0, 1), injectable for tests. @default Math.random */
  readonly random?: () => number;
  /**
   * Extra veto on retrying a retryable failure. Failures that retrying cannot fix are never
   * retried: an unauthorized handshake, an HTTP 4xx on the upgrade, a `BadRequestException`, an
   * invalid configuration.
   */
  readonly shouldRetry?: (error: AppSyncEventsError) => boolean;
}

/**
 * {@link RetryOptions} with every default filled in.
 *
 * @example
 * ```ts
 * import { resolveRetryOptions } from 'appsync-events-rx/protocol';
 * resolveRetryOptions({}).initialDelayMs; // 200
 * ```
 */
export type ResolvedRetryOptions = Required<Omit<RetryOptions, 'shouldRetry'>> & Pick<RetryOptions, 'shouldRetry'>;

/**
 * Fills in the defaults of {@link RetryOptions} and checks the numbers.
 *
 * @example
 * ```ts
 * import { resolveRetryOptions } from 'appsync-events-rx/protocol';
 * const r = resolveRetryOptions({ maxAttempts: 3 });
 * ```
 */
export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  const r: ResolvedRetryOptions = {
    initialDelayMs: options.initialDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    factor: options.factor ?? 2,
    maxAttempts: options.maxAttempts ?? Infinity,
    resetAfterMs: options.resetAfterMs ?? 10_000,
    random: options.random ?? Math.random,
    shouldRetry: options.shouldRetry,
  };
  for (const key of ['initialDelayMs', 'maxDelayMs', 'resetAfterMs'] as const) {
    if (!(r[key] >= 0)) throw new ValidationError('INVALID_CONFIG', `retry.${key} must be a number >= 0`);
  }
  if (!(r.factor >= 1)) throw new ValidationError('INVALID_CONFIG', 'retry.factor must be >= 1');
  if (!(r.maxAttempts >= 0)) throw new ValidationError('INVALID_CONFIG', 'retry.maxAttempts must be >= 0');
  return r;
}

/**
 * Delay before retry number `retry` (1-based), with full jitter.
 *
 * @example
 * ```ts
 * import { backoffDelay, resolveRetryOptions } from 'appsync-events-rx/protocol';
 * backoffDelay(resolveRetryOptions({ random: () => 0.5 }), 1); // 100
 * ```
 */
export function backoffDelay(options: ResolvedRetryOptions, retry: number): number {
  const bound = Math.min(options.maxDelayMs, options.initialDelayMs * Math.pow(options.factor, retry - 1));
  return Math.floor(options.random() * bound);
}

/**
 * Whether retrying could help: false for an unauthorized handshake, an HTTP 4xx on the upgrade,
 * a `BadRequestException`, and configuration errors; true for drops, timeouts and 5xx.
 *
 * @example
 * ```ts
 * import { KeepAliveTimeoutError } from 'appsync-events-rx';
 * import { isRetryable } from 'appsync-events-rx/protocol';
 * isRetryable(new KeepAliveTimeoutError(300000)); // true
 * ```
 */
export function isRetryable(error: AppSyncEventsError): boolean {
  if (error instanceof UnauthorizedError) return false;
  if (error instanceof ServerError) return !error.errors.some((e) => e.errorType === 'BadRequestException');
  if (error instanceof ConnectionError) {
    const s = error.httpStatus;
    return !(s !== undefined && s >= 400 && s < 500 && s !== 408 && s !== 429);
  }
  if (error instanceof ValidationError) return error.reason === 'AUTH_PROVIDER_FAILED';
  return true;
}
