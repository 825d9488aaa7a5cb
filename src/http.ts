// Entry point `appsync-events-rx/http`: publishing over HTTP (`POST /event`) without a WebSocket,
// for services that only publish. Kept apart from the main entry so that WebSocket applications
// don't ship it. Names are exported one by one.
import type { Observable } from 'rxjs';
import { commonSettings } from './config';
import { ValidationError } from './errors';
import type { PublishResult } from './operations/events';
import { publishOverHttp, type FetchLike, type HttpPublisherConfig, type HttpPublishOptions } from './operations/http-publish';

export type { FetchLike, HttpPublisherConfig, HttpPublishOptions } from './operations/http-publish';

/**
 * Publishes events over HTTP. Stateless: there is nothing to open or close.
 *
 * @example
 * ```ts
 * import { createHttpPublisher, type HttpPublisher } from 'appsync-events-rx/http';
 * const publisher: HttpPublisher = createHttpPublisher(config);
 * publisher.publish('/default/chat', [{ text: 'hi' }]).subscribe((r) => console.log(r.successful)); // [0]
 * ```
 */
export interface HttpPublisher {
  /**
   * Publishes events (any JSON-serialisable values) with `POST /event`. Cold; emits one
   * {@link PublishResult} and completes. The same validation as the WebSocket `publish` (nothing is
   * sent on bad input); more than five events go out as several requests, one after the other,
   * whose results are merged by index. An `UnauthorizedError` answer is retried once with a fresh
   * authorization. Errors: `ValidationError`, `MarshalError`, `ServerError`/`UnauthorizedError`
   * (with the HTTP `status`), `TimeoutError`, `ConnectionError` (the request failed).
   */
  publish<T = unknown>(channel: string, events: readonly T[], options?: HttpPublishOptions): Observable<PublishResult>;
}

/**
 * Creates an HTTP publisher: the publishing half of the API without a WebSocket (for backends,
 * serverless functions, scripts). Accepts the config object of `createEventsClient` as it is; only
 * `httpEndpoint`, `auth`, `headers`, `allowInsecure`, `fetch`, `requestTimeoutMs` and `scheduler`
 * are used. Throws `ValidationError` (`INVALID_CONFIG`) on an invalid configuration, or when there
 * is no `fetch` (give `config.fetch` on platforms without a global one).
 *
 * @example
 * ```ts
 * import { apiKeyAuth } from 'appsync-events-rx';
 * import { createHttpPublisher } from 'appsync-events-rx/http';
 *
 * const publisher = createHttpPublisher({ httpEndpoint: 'example.appsync-api.eu-west-1.amazonaws.com', auth: apiKeyAuth('da2-…') });
 * publisher.publish('/default/orders', [{ id: 1 }]).subscribe((r) => console.log(r.successful)); // [0]
 * ```
 */
export function createHttpPublisher(config: HttpPublisherConfig): HttpPublisher {
  const settings = commonSettings(config, 'createHttpPublisher');
  const fetchImpl: FetchLike | undefined = config.fetch ?? (typeof fetch === 'function' ? (fetch as unknown as FetchLike) : undefined);
  if (typeof fetchImpl !== 'function') throw new ValidationError('INVALID_CONFIG', 'createHttpPublisher needs fetch: pass config.fetch (a function) on platforms without a global fetch');
  const ctx = { ...settings, fetch: fetchImpl };
  return { publish: (channel, events, options = {}) => publishOverHttp(ctx, channel, events, options) };
}
