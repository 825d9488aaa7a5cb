import IsomorphicWebSocket from 'isomorphic-ws';
import type { UnsupportedMessageFormatError } from '../errors';
import { decodeReceiveMessage } from '../protocol/decode';
import type { ReceiveMessage, SendMessage } from '../protocol/messages';
import type { Subscribable, Unsubscribable } from 'rxjs';

/**
 * An event handler property of {@link WebSocketLike}: checked like a method (bivariantly), so that
 * the DOM's and `ws`'s handlers, typed with their own narrower event classes, fit.
 *
 * @example
 * ```ts
 * import type { WebSocketListener } from 'appsync-events-rx';
 * const onMessage: WebSocketListener<{ readonly data: unknown }> = (event) => console.log(event.data);
 * ```
 */
export type WebSocketListener<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/**
 * The part of the WebSocket API the SDK uses: the browser `WebSocket`, `ws` (via isomorphic-ws)
 * and test fakes all fit, for TypeScript too.
 *
 * @example
 * ```ts
 * import { createEventsClient, subprotocols, type WebSocketLike } from 'appsync-events-rx';
 * import { resolveEndpoints } from 'appsync-events-rx/protocol';
 * // A socket of your own, already opening, for the first connection.
 * const { realtimeUrl } = resolveEndpoints(config.httpEndpoint, config.realtimeEndpoint);
 * const socket: WebSocketLike = new WebSocket(realtimeUrl, await subprotocols(config));
 * const client = createEventsClient({ ...config, socket });
 * ```
 */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol?: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: WebSocketListener<unknown> | null;
  onmessage: WebSocketListener<{ readonly data: unknown }> | null;
  onerror: WebSocketListener<unknown> | null;
  onclose: WebSocketListener<{ readonly code: number; readonly reason: string }> | null;
}

/**
 * A WebSocket constructor: `new (url, protocols)`. Defaults to isomorphic-ws (the global
 * `WebSocket` in browsers, `ws` in Node); the DOM `WebSocket` and `ws` fit as they are.
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
 * import { connectionSubprotocols, defaultWebSocket, resolveEndpoints } from 'appsync-events-rx/protocol';
 * const { realtimeUrl, host } = resolveEndpoints('example.appsync-api.eu-west-1.amazonaws.com');
 * const ws = new (defaultWebSocket())(realtimeUrl, connectionSubprotocols({ host, 'x-api-key': 'da2-…' }));
 * ```
 */
export function defaultWebSocket(): WebSocketConstructor {
  return IsomorphicWebSocket;
}

/**
 * How a socket ended by itself (a server close, a refused upgrade, a network failure): the close
 * frame's code and reason, and `detail`, the platform's error message if it gave one (ws reports
 * e.g. "Unexpected server response: 401"; browsers give none), else the reason.
 *
 * @example
 * ```ts
 * transport.frames$.subscribe({ error: ({ code, detail }: SocketClose) => console.log(code, detail) });
 * ```
 */
export interface SocketClose {
  readonly code: number;
  readonly reason: string;
  readonly detail: string;
}

/**
 * One WebSocket as the connection sees it (ARCHITECTURE.md, `src/transport/`): decoded frames in,
 * encoded messages out. It knows nothing of what the frames mean.
 *
 * @example
 * ```ts
 * const transport = openTransport(url, protocols, { type: 'connection_init' });
 * transport.frames$.subscribe({ next: (frame) => console.log(frame) });
 * transport.send({ type: 'unsubscribe', id });
 * ```
 */
export interface Transport {
  /**
   * Each inbound frame decoded into a typed message, or the {@link UnsupportedMessageFormatError}
   * of a frame that is not one. Errors with a {@link SocketClose} when the socket closes by itself.
   * Subscribe once.
   *
   * A `Subscribable` (RxJS's minimal Observable contract; `from(frames$)` makes it an `Observable`)
   * that calls the observer straight from the socket's `onmessage`. Not an RxJS `Observable` on
   * purpose: a `Subscriber` here would put `Subscriber.next` on the stack under every delivery to
   * the application's subscribers, and V8 then no longer inlines their chain: fan-out to 1,000
   * subscribers measured 8.2 ns per delivery that way against 5.7 ns (bench `fanout-1000`).
   */
  readonly frames$: Subscribable<ReceiveMessage | UnsupportedMessageFormatError>;
  /** True while frames can be sent. */
  readonly isOpen: boolean;
  /** Sends a message, JSON-encoded; false (nothing sent) when the socket is not open. */
  send(message: SendMessage): boolean;
  /** Closes the socket with code 1000 and `reason`, unless it is already closing or closed. */
  close(reason: string): void;
}

/**
 * Opens a WebSocket to `url` with `protocols` (or adopts `socket`, already open or still opening)
 * and sends `greeting` as soon as it is open. Throws what the WebSocket constructor throws.
 *
 * @example
 * ```ts
 * const transport = openTransport(url, connectionSubprotocols(authorization), { type: 'connection_init' });
 * ```
 */
export function openTransport(
  url: string,
  protocols: string[],
  greeting: SendMessage,
  WebSocket: WebSocketConstructor = defaultWebSocket(),
  socket: WebSocketLike = new WebSocket(url, protocols),
): Transport {
  const transport: Transport = {
    frames$: {
      subscribe(observer): Unsubscribable {
        let detail: unknown;
        // Sends nothing until the socket is open.
        const greet = (): unknown => transport.send(greeting);
        socket.onopen = greet;
        socket.onmessage = (event) => observer.next?.(decodeReceiveMessage(event.data));
        socket.onerror = (event) => (detail = (event as { message?: unknown } | null)?.message);
        socket.onclose = ({ code, reason }) => observer.error?.({ code, reason, detail: (typeof detail === 'string' && detail) || reason });
        // An already-open socket (passed by the user) reports no `open`.
        greet();
        return { unsubscribe: () => void (socket.onmessage = socket.onclose = null) };
      },
    },
    get isOpen() {
      return socket.readyState === WS_OPEN;
    },
    send(message) {
      const open = this.isOpen;
      if (open) socket.send(JSON.stringify(message));
      return open;
    },
    close(reason) {
      try {
        // Not after the socket's own close (a server close, a failed upgrade): it is gone.
        if (socket.readyState <= WS_OPEN) socket.close(1000, reason);
      } catch {
        // closing a socket that never opened may throw in some implementations; it is gone either way
      }
    },
  };
  return transport;
}
