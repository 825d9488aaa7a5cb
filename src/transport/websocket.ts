import IsomorphicWebSocket from 'isomorphic-ws';

/**
 * The part of the WebSocket API the SDK uses: the browser `WebSocket`, `ws` (via isomorphic-ws)
 * and test fakes all fit.
 *
 * @example
 * ```ts
 * import type { WebSocketLike } from 'appsync-events-rx';
 * const ws: WebSocketLike = new WebSocket(url, protocols);
 * ```
 */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol?: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
}

/**
 * A WebSocket constructor: `new (url, protocols)`. Defaults to isomorphic-ws (the global
 * `WebSocket` in browsers, `ws` in Node).
 *
 * @example
 * ```ts
 * import { createEventsClient } from 'appsync-events-rx';
 * createEventsClient({ httpEndpoint, auth, WebSocket: globalThis.WebSocket });
 * ```
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** `readyState` of an open socket. @example `if (ws.readyState === WS_OPEN) ws.send(text);` */
export const WS_OPEN = 1;
/** `readyState` of a socket still connecting. @example `ws.readyState === WS_CONNECTING` */
export const WS_CONNECTING = 0;

/**
 * The default WebSocket constructor (isomorphic-ws).
 *
 * @example
 * ```ts
 * import { defaultWebSocket } from 'appsync-events-rx/protocol';
 * const ws = new (defaultWebSocket())(url, protocols);
 * ```
 */
export function defaultWebSocket(): WebSocketConstructor {
  return IsomorphicWebSocket as unknown as WebSocketConstructor;
}
