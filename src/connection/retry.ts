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
   * the last one is terminal. A connection that stays up `resetAfterMs` starts a new series. Also
   * bounds the retries of a resubscription whose auth provider fails (counted per channel, until
   * its next `subscribe_success`).
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
  functionOptions(options, ['random', 'shouldRetry'], 'retry.');
  return { ...options, random: options.random ?? Math.random, ...numberOptions(options, RETRY_LIMITS, 'retry.') } as ResolvedRetryOptions;
}

/** Each numeric retry option with its default and its smallest valid value (infinity allowed). */
const RETRY_LIMITS: readonly NumberOption[] = [
  ['initialDelayMs', 200, 0],
  ['maxDelayMs', 30_000, 0],
  ['factor', 2, 1],
  ['maxAttempts', Infinity, 0],
  ['resetAfterMs', 10_000, 0],
];

/**
 * A numeric option: its name, its default (`undefined`: none), its smallest valid value, whether
 * it must be finite and strictly greater than that value (durations `> 0`), and its largest valid
 * value (default: what a timer can hold for a duration, else none).
 */
export type NumberOption = readonly [name: string, fallback: number | undefined, min: number, above?: boolean, max?: number];

/**
 * The longest delay a timer can have, 2^31 − 1 ms (about 24.8 days): browsers and Node run a
 * longer `setTimeout` at once, so a longer timeout would fire immediately.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Checks that each named option is a function or absent (`undefined` or `null`): a wrong value is refused at
 * creation, not found (as something else) on first use. Throws {@link ValidationError}
 * (`INVALID_CONFIG`).
 *
 * @example
 * ```ts
 * functionOptions({ fetch: 'nope' }, ['fetch']); // throws: fetch must be a function
 * ```
 */
export function functionOptions(source: object, names: readonly string[], prefix = ''): void {
  for (const name of names) {
    const value = (source as Record<string, unknown>)[name];
    if (value != null && typeof value !== 'function') throw new ValidationError('INVALID_CONFIG', `${prefix}${name} must be a function`);
  }
}

/**
 * The options of `limits` read from `source`, defaults filled in and each checked against its
 * limit. Throws {@link ValidationError} (`reason`, `INVALID_CONFIG` by default) naming the first invalid option.
 * `timer`: the options are timer delays, at most {@link MAX_TIMER_MS} (no infinities).
 *
 * @example
 * ```ts
 * numberOptions({ lingerMs: 0 }, [['lingerMs', 1000, 0]], '', true); // { lingerMs: 0 }
 * ```
 */
export function numberOptions(
  source: object,
  limits: readonly NumberOption[],
  prefix = '',
  timer?: boolean,
  reason: 'INVALID_CONFIG' | 'INVALID_ARGUMENT' = 'INVALID_CONFIG',
): Record<string, number> {
  const resolved: Record<string, number> = {};
  for (const [name, fallback, min, above, max = timer ? MAX_TIMER_MS : Infinity] of limits) {
    const value = (source as Record<string, number | undefined>)[name] ?? fallback;
    if (value !== undefined && !(typeof value === 'number' && (above ? value > min : value >= min) && value <= max)) {
      throw new ValidationError(reason, `${prefix}${name} must be a number ${above ? '>' : '>='} ${min}${max < Infinity ? ` and <= ${max}${timer ? ' (ms)' : ''}` : ''}`);
    }
    resolved[name] = value!;
  }
  return resolved;
}

/**
 * A call's own `timeoutMs` (a publish's, a subscription's), checked like the config's
 * `requestTimeoutMs`: `fallback` when absent (or `null`); a {@link ValidationError} (`INVALID_ARGUMENT`), before
 * anything is sent, when it is not a number of ms in (0, {@link MAX_TIMER_MS}].
 *
 * @example
 * ```ts
 * timeoutOption(options.timeoutMs, config.requestTimeoutMs); // options.timeoutMs ?? 15000
 * ```
 */
export function timeoutOption(value: number | undefined, fallback: number): number {
  return value == null ? fallback : numberOptions({ timeoutMs: value }, [['timeoutMs', 0, 0, true]], '', true, 'INVALID_ARGUMENT').timeoutMs!;
}

/**
 * Delay before retry number `retry` (1-based), with full jitter, never more than
 * {@link MAX_TIMER_MS}.
 *
 * @example
 * ```ts
 * import { backoffDelay, resolveRetryOptions } from 'appsync-events-rx/protocol';
 * backoffDelay(resolveRetryOptions({ random: () => 0.5 }), 1); // 100
 * ```
 */
export function backoffDelay(options: ResolvedRetryOptions, retry: number): number {
  return Math.floor(options.random() * Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** (retry - 1), MAX_TIMER_MS));
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
  // A refused upgrade with a 4xx is final, except 408 (timeout) and 429 (throttled).
  if (error instanceof ConnectionError) return !/^4(?!08|29)/.test(`${error.httpStatus}`);
  if (error instanceof ValidationError) return error.reason === 'AUTH_PROVIDER_FAILED';
  return true;
}

/**
 * The retry policy's decision (internal, shared by the connection and a resubscription): whether
 * `error`, as failure `attempt` in a row, is retried under `options` — retryable, not vetoed by
 * `shouldRetry`, and within `maxAttempts`.
 *
 * @example
 * ```ts
 * retries(resolveRetryOptions({ maxAttempts: 2 }), new KeepAliveTimeoutError(300000), 3); // false
 * ```
 */
export function retries(options: ResolvedRetryOptions | false | undefined, error: AppSyncEventsError, attempt: number): options is ResolvedRetryOptions {
  return !!options && isRetryable(error) && (!options.shouldRetry || options.shouldRetry(error)) && attempt <= options.maxAttempts;
}
