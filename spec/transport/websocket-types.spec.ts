/**
 * The sockets users pass fit the SDK's socket types without a cast: the DOM `WebSocket` and `ws`.
 * The checks are compile-time (`npm test` runs `tsc` over spec/ first); the test only keeps them
 * referenced.
 */
import { WebSocket as WsWebSocket } from 'ws';
import type { EventsClientConfig, WebSocketConstructor, WebSocketLike } from '../../src';

it('accepts the DOM WebSocket and ws, constructor and instance, as they are', () => {
  const fromDom: WebSocketConstructor = globalThis.WebSocket ?? WsWebSocket;
  const fromWs: WebSocketConstructor = WsWebSocket;
  const instance = (socket: WsWebSocket | WebSocket): WebSocketLike => socket;
  const config: Pick<EventsClientConfig, 'WebSocket'> = { WebSocket: WsWebSocket };
  expect([fromDom, fromWs, instance, config.WebSocket].every(Boolean)).toBe(true);
});
