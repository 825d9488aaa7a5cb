import { startEventApi } from '../../src/testing';
import type { EventApi, EventApiOptions } from '../../src/testing';
import type { Authorization } from '../../src/protocol/messages';
import { connectRaw, headerSubprotocols, type ConnectRawOptions, type RawClient, type RawFrame } from '../helpers/raw-ws';

/**
 * Per-test emulators and raw clients, all torn down in `afterEach` (clients terminated first, then
 * `api.close()`), so every spec file exits cleanly.
 */
export interface EmulatorFixture {
  /** Starts an emulator for this test. */
  start(options?: EventApiOptions): Promise<EventApi>;
  /** Opens a raw client; default: browser-style subprotocols with the first API key. */
  connect(api: EventApi, options?: ConnectRawOptions): Promise<RawClient>;
  /** `connect` + `connection_init` + awaited `connection_ack`. */
  ready(api: EventApi, options?: ConnectRawOptions): Promise<RawClient>;
}

export function keyAuth(api: EventApi, key = api.apiKey): Authorization {
  return { host: api.host, 'x-api-key': key };
}

export function emulatorFixture(): EmulatorFixture {
  const apis: EventApi[] = [];
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await Promise.all(apis.splice(0).map((a) => a.close()));
  });
  const fixture: EmulatorFixture = {
    async start(options) {
      const api = await startEventApi(options);
      apis.push(api);
      return api;
    },
    async connect(api, options = {}) {
      const client = await connectRaw(api.realtimeEndpoint, { protocols: headerSubprotocols(keyAuth(api)), ...options });
      clients.push(client);
      return client;
    },
    async ready(api, options) {
      const client = await fixture.connect(api, options);
      client.send({ type: 'connection_init' });
      await client.nextOf('connection_ack');
      return client;
    },
  };
  return fixture;
}

let counter = 0;
/** A fresh valid operation id. */
export function opId(prefix = 'op'): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Sends `subscribe` and resolves with the reply frame for its id. */
export async function subscribe(client: RawClient, channel: string, authorization: Authorization, id = opId('sub')): Promise<RawFrame> {
  client.send({ type: 'subscribe', id, channel, authorization });
  return client.next((f) => f.id === id && (f.type === 'subscribe_success' || f.type === 'subscribe_error'));
}

/** Sends `publish` and resolves with the reply frame for its id. */
export async function publish(
  client: RawClient,
  channel: string,
  events: readonly string[],
  authorization: Authorization,
  id = opId('pub'),
): Promise<RawFrame> {
  client.send({ type: 'publish', id, channel, events, authorization });
  return client.next((f) => f.id === id && (f.type === 'publish_success' || f.type === 'publish_error'));
}
