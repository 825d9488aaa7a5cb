/**
 * HTTP publishing with the config a test client was created with: the tests that exercise an auth
 * mode or a failure over both WebSocket and HTTP create the client with {@link remember} and
 * publish over HTTP with {@link publishHttp}, which makes a `createHttpPublisher` from the very same
 * config object (as an application sharing one config between both would).
 */
import type { Observable } from 'rxjs';
import type { EventsClient, EventsClientConfig, HttpPublishOptions, PublishResult } from '../../src';
import { createHttpPublisher } from '../../src/http';

const configs = new WeakMap<EventsClient, EventsClientConfig>();

/** Creates a client with `create(config)` and remembers its config for {@link publishHttp}. */
export function remember(config: EventsClientConfig, create: (config: EventsClientConfig) => EventsClient): EventsClient {
  const client = create(config);
  configs.set(client, config);
  return client;
}

/** Publishes over HTTP with the config `client` was created with (see {@link remember}). */
export function publishHttp(client: EventsClient, channel: string, events: readonly unknown[], options?: HttpPublishOptions): Observable<PublishResult> {
  const config = configs.get(client);
  if (!config) throw new Error('publishHttp: create the client with remember()');
  return createHttpPublisher(config).publish(channel, events, options);
}
