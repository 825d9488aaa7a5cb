import type { Subscription } from 'rxjs';
import { Observable } from '../rx';
import { resolveAuth } from '../auth/resolve';
import { AppSyncEventsError, ConnectionError, TimeoutError, UnauthorizedError, serverError } from '../errors';
import { errorList } from '../protocol/decode';
import type { MessageError } from '../protocol/messages';
import type { OperationContext } from './context';
import { preparePublish, sendBatches, type EventBatch, type PublishResult } from './events';
import type { PublishOptions } from './publish';

/**
 * The part of `fetch` HTTP publish uses (the global `fetch` of browsers and Node ≥ 18 fits).
 *
 * @example
 * ```ts
 * createEventsClient({ httpEndpoint, auth, fetch: globalThis.fetch });
 * ```
 */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ readonly status: number; text(): Promise<string> }>;

/**
 * Publishes over HTTP (`POST /event`): the same validation, batching and per-index results as the
 * WebSocket publish, without a socket. Uses the platform's keep-alive connection pool.
 *
 * @example
 * ```ts
 * publishOverHttp(ctx, fetch, '/default/a', [{ a: 1 }], {}).subscribe((r) => console.log(r.successful));
 * ```
 */
export function publishOverHttp(
  ctx: OperationContext,
  fetchImpl: FetchLike,
  channel: string,
  events: readonly unknown[],
  options: Omit<PublishOptions, 'idempotent'>,
): Observable<PublishResult> {
  return new Observable<PublishResult>((subscriber) => {
    let prepared;
    try {
      prepared = preparePublish(channel, events);
    } catch (e) {
      subscriber.error(e);
      return undefined;
    }
    const path = prepared.channel;
    return sendBatches(prepared.batches, (batch, onResult, onError) => postBatch(ctx, fetchImpl, path, batch, options, onResult, onError), subscriber);
  });
}

function postBatch(
  ctx: OperationContext,
  fetchImpl: FetchLike,
  channel: string,
  batch: EventBatch,
  options: Omit<PublishOptions, 'idempotent'>,
  onResult: (successful: readonly { index: number }[], failed: readonly { index: number }[]) => void,
  onError: (error: AppSyncEventsError) => void,
): () => void {
  const timeoutMs = options.timeoutMs ?? ctx.requestTimeoutMs;
  const body = JSON.stringify({ channel, events: batch.events });
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
      ctx.authRequest('http-publish', channel, () => body),
      (auth) => {
        authSub = undefined;
        if (done) return;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        for (const [k, v] of Object.entries({ ...ctx.headers, ...auth })) {
          // `host` is a forbidden header for fetch; the URL carries the same host.
          if (v !== undefined && k.toLowerCase() !== 'host') headers[k] = v;
        }
        const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
        abort = controller;
        // Called through a resolved promise so that a fetch that throws synchronously ends up in the
        // same catch as one that rejects.
        Promise.resolve()
          .then(() => fetchImpl(ctx.endpoints.httpUrl, { method: 'POST', headers, body, ...(controller ? { signal: controller.signal } : {}) }))
          .then(async (response) => {
            const text = await response.text();
            if (done) return;
            const parsed = parseJson(text);
            if (response.status >= 200 && response.status < 300) {
              const r = parsed as { successful?: unknown; failed?: unknown } | undefined;
              if (!r || !Array.isArray(r.successful ?? []) || !Array.isArray(r.failed ?? [])) {
                fail(serverError('http-publish', [{ errorType: 'UnsupportedMessageFormat', message: 'HTTP publish answered 2xx without successful/failed lists' }], response.status));
                return;
              }
              finish();
              onResult((r.successful ?? []) as { index: number }[], (r.failed ?? []) as { index: number }[]);
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
            fail(new ConnectionError(`HTTP publish to ${ctx.endpoints.httpUrl} failed${e instanceof Error ? `: ${e.message}` : ''}`, undefined, undefined, e));
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
  return [{ errorType: status === 401 || status === 403 ? 'UnauthorizedException' : 'HttpError', message: `HTTP ${status}`, errorCode: status }];
}
