import type { SchedulerLike, Subscription } from 'rxjs';
import { Observable } from '../rx';
import { resolveAuth } from '../auth/resolve';
import type { AuthProvider } from '../auth/types';
import { AppSyncEventsError, ConnectionError, PublishOutcomeUnknownError, TimeoutError, UnauthorizedError, UnsupportedMessageFormatError, excerpt, serverError } from '../errors';
import { timeoutOption } from '../connection/retry';
import { errorList, hasIndex } from '../protocol/decode';
import type { ResolvedEndpoints } from '../protocol/endpoints';
import type { MessageError } from '../protocol/messages';
import { coversEvents, preparePublish, sendBatches, type EventBatch, type PublishResult } from './events';

/**
 * The part of `fetch` HTTP publish uses (the global `fetch` of browsers and Node ≥ 18 fits).
 *
 * @example
 * ```ts
 * import { createHttpPublisher } from 'appsync-events-rx/http';
 * createHttpPublisher({ httpEndpoint, auth, fetch: globalThis.fetch });
 * ```
 */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; redirect?: 'manual'; signal?: AbortSignal },
) => Promise<{ readonly status: number; text(): Promise<string> }>;

/**
 * Configuration of `createHttpPublisher` (entry point `appsync-events-rx/http`): the part of
 * `EventsClientConfig` that HTTP publishing uses. `EventsClientConfig` extends it, so the config
 * object of a WebSocket client is accepted as it is.
 *
 * @example
 * ```ts
 * import { apiKeyAuth } from 'appsync-events-rx';
 * import { createHttpPublisher, type HttpPublisherConfig } from 'appsync-events-rx/http';
 * const config: HttpPublisherConfig = { httpEndpoint: 'https://example.appsync-api.eu-west-1.amazonaws.com/event', auth: apiKeyAuth('da2-…') };
 * const publisher = createHttpPublisher(config);
 * ```
 */
export interface HttpPublisherConfig {
  /**
   * The API's HTTP endpoint: an AppSync host (`<id>.appsync-api.<region>.amazonaws.com`), an
   * `https://…/event` URL, or a custom domain. Its host is the `host` of every authorization.
   */
  readonly httpEndpoint: string;
  /** How to authorize the connection and each operation; see `apiKeyAuth`, `lambdaAuth`. */
  readonly auth: AuthProvider;
  /** Extra fields added to every authorization object (and HTTP publish headers). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Where all time goes (timeouts, keep-alive, backoff, linger); inject a `TestScheduler` in tests. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** Time allowed for a reply to subscribe, unsubscribe and each publish request. @default 15000 (as the official clients) */
  readonly requestTimeoutMs?: number;
  /** Allow `ws://`/`http://` endpoints on non-loopback hosts. @default false */
  readonly allowInsecure?: boolean;
  /** `fetch` for HTTP publishing (`createHttpPublisher`). @default globalThis.fetch */
  readonly fetch?: FetchLike;
}

/**
 * Options of an HTTP publish: those of the WebSocket `publish` except `idempotent`.
 *
 * @example
 * ```ts
 * import { createHttpPublisher } from 'appsync-events-rx/http';
 * createHttpPublisher(config).publish('/default/a', [{ text: 'hi' }], { timeoutMs: 5000 }).subscribe((r) => console.log(r.successful));
 * ```
 */
export interface HttpPublishOptions {
  /** Authorization for this publish instead of the publisher's. */
  readonly auth?: AuthProvider;
  /** Time allowed per request of at most five events, from the call to the reply. @default the config's requestTimeoutMs */
  readonly timeoutMs?: number;
}

/**
 * What an HTTP publish needs: the validated settings of an {@link HttpPublisherConfig}.
 *
 * @example
 * ```ts
 * const ctx: HttpContext = { endpoints, auth, headers: {}, scheduler: asyncScheduler, requestTimeoutMs: 15000, fetch };
 * ```
 */
export interface HttpContext {
  readonly endpoints: ResolvedEndpoints;
  readonly auth: AuthProvider;
  readonly headers: Readonly<Record<string, string>>;
  readonly scheduler: SchedulerLike;
  readonly requestTimeoutMs: number;
  readonly fetch: FetchLike;
}

/**
 * Publishes over HTTP (`POST /event`): the same validation, batching and per-index results as the
 * WebSocket publish, without a socket. Uses the platform's keep-alive connection pool.
 *
 * @example
 * ```ts
 * publishOverHttp(ctx, '/default/a', [{ a: 1 }], {}).subscribe((r) => console.log(r.successful));
 * ```
 */
export function publishOverHttp(ctx: HttpContext, channel: string, events: readonly unknown[], options: HttpPublishOptions): Observable<PublishResult> {
  return new Observable<PublishResult>((subscriber) => {
    let prepared;
    let timeoutMs: number;
    try {
      timeoutMs = timeoutOption(options.timeoutMs, ctx.requestTimeoutMs);
      prepared = preparePublish(channel, events);
    } catch (e) {
      subscriber.error(e);
      return undefined;
    }
    const path = prepared.channel;
    return sendBatches(prepared.channel, prepared.batches, (batch, onResult, onError) => postBatch(ctx, path, batch, options, timeoutMs, onResult, onError), subscriber);
  });
}

function postBatch(
  ctx: HttpContext,
  channel: string,
  batch: EventBatch,
  options: HttpPublishOptions,
  timeoutMs: number,
  onResult: (successful: readonly { index: number }[], failed: readonly { index: number }[]) => void,
  onError: (error: AppSyncEventsError) => void,
): () => void {
  const body = JSON.stringify({ channel, events: batch.events });
  const { host, httpUrl } = ctx.endpoints;
  // Called as a plain function: a browser's fetch throws "Illegal invocation" when called as a method of another object.
  const fetchImpl = ctx.fetch;
  let done = false;
  let authRetried = false;
  let abort: AbortController | undefined;
  let authSub: Subscription | undefined;
  const finish = (): void => {
    done = true;
    timer.unsubscribe();
    authSub?.unsubscribe();
    abort?.abort();
  };
  const fail = (error: AppSyncEventsError): void => {
    if (done) return;
    finish();
    onError(error);
  };
  const timer = ctx.scheduler.schedule(() => fail(new TimeoutError('http-publish', timeoutMs)), timeoutMs);
  const attempt = (): void => {
    authSub = resolveAuth(
      options.auth ?? ctx.auth,
      { kind: 'http-publish', host, httpUrl, channel, body },
      (auth) => {
        authSub = undefined;
        if (done) return;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        for (const [k, v] of Object.entries({ ...ctx.headers, ...auth })) {
          // Names are case-insensitive: keyed in lower case, a later value replaces an earlier one
          // spelt differently (fetch would send both, joined by a comma, which breaks a signature).
          // `host` is a forbidden header for fetch; the URL carries the same host.
          const name = k.toLowerCase();
          if (v !== undefined && name !== 'host') headers[name] = v;
        }
        const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
        abort = controller;
        // Called through a resolved promise so that a fetch that throws synchronously ends up in the
        // same catch as one that rejects.
        Promise.resolve()
          // Redirects are not followed: fetch would send the API key (any header but
          // `Authorization`) and the body to wherever the answer points.
          .then(() => fetchImpl(httpUrl, { method: 'POST', headers, body, redirect: 'manual', ...(controller ? { signal: controller.signal } : {}) }))
          .then(async (response) => {
            const text = await response.text();
            if (done) return;
            const parsed = parseJson(text);
            if (response.status >= 200 && response.status < 300) {
              const r = parsed as { successful?: unknown; failed?: unknown } | undefined;
              // Checked like a `publish_success` frame: lists of entries with a numeric index (an
              // entry without one would fail later, after the request was settled, and be lost).
              if (!r || ![r.successful ?? [], r.failed ?? []].every((list) => Array.isArray(list) && list.every(hasIndex))) {
                fail(serverError('http-publish', [{ errorType: 'UnsupportedMessageFormat', message: 'HTTP publish answered 2xx without successful/failed lists of indexed entries' }], response.status));
                return;
              }
              const successful = (r.successful ?? []) as { index: number }[];
              const failed = (r.failed ?? []) as { index: number }[];
              // Each event exactly one outcome, or the outcome of the request is unknown.
              if (!coversEvents(successful, failed, batch.events.length)) {
                const malformed = new UnsupportedMessageFormatError('HTTP publish answer without one outcome per event', excerpt(text));
                fail(new PublishOutcomeUnknownError(channel, batch.events.map((_, i) => batch.offset + i), malformed));
                return;
              }
              finish();
              onResult(successful, failed);
              return;
            }
            const errors = errorsOf(parsed, response.status);
            const error = serverError('http-publish', errors, response.status);
            if (error instanceof UnauthorizedError && !authRetried) {
              authRetried = true;
              attempt();
              return;
            }
            fail(error);
          })
          // One handler for a failed request and for a body that fails to arrive (a reset, or the
          // abort of a timed-out request while the body streams): never an unhandled rejection.
          .catch((e: unknown) => {
            if (done) return;
            // fetch may quote a header in its message (a token with a line break is "an invalid
            // header value"): never a credential in an error, so such a value is redacted, and
            // the original error, which still holds it, is not kept as the cause.
            let detail = e instanceof Error ? e.message : '';
            let cause = e;
            for (const value of Object.values(headers)) {
              for (const secret of [value, value.trim()]) {
                if (secret && detail.includes(secret)) {
                  detail = detail.split(secret).join('[redacted]');
                  cause = undefined;
                }
              }
            }
            fail(new ConnectionError(`HTTP publish to ${httpUrl} failed${detail ? `: ${detail}` : ''}`, undefined, undefined, cause));
          });
      },
      (error) => {
        authSub = undefined;
        fail(error);
      },
    );
  };
  attempt();
  return () => {
    if (!done) finish();
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorsOf(body: unknown, status: number): MessageError[] {
  const list = (body as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(list)) return errorList(list);
  // A 3xx, or 0 for the opaque answer a browser gives for a redirect that is not followed.
  const redirect = status < 200 || (status >= 300 && status < 400) ? ': a redirect, not followed (it would send the authorization elsewhere)' : '';
  return [{ errorType: status === 401 || status === 403 ? 'UnauthorizedException' : 'HttpError', message: `HTTP ${status}${redirect}`, errorCode: status }];
}
