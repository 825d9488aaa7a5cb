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

/**
 * Callbacks a {@link SocketTransport} reports to. Plain callbacks, not Observables: this is the
 * per-frame hot path.
 *
 * @example
 * ```ts
 * const listener: TransportListener = { open() {}, frame(data) {}, closed(code, reason, error) {} };
 * ```
 */
export interface TransportListener {
  open(): void;
  frame(data: unknown): void;
  closed(code: number, reason: string, error: string | undefined): void;
}

/**
 * Owns one WebSocket: attaches the listener, sends text, closes, and detaches everything on close
 * so that no callback outlives the socket. Knows nothing of message semantics.
 *
 * @example
 * ```ts
 * const t = new SocketTransport(new WebSocket(url, protocols), listener);
 * t.send('{"type":"connection_init"}');
 * ```
 */
export class SocketTransport {
  private _error: string | undefined;
  private _done = false;

  constructor(
    private readonly _socket: WebSocketLike,
    listener: TransportListener,
  ) {
    _socket.onopen = () => listener.open();
    _socket.onmessage = (event) => listener.frame(event.data);
    _socket.onerror = (event) => {
      // ws reports e.g. "Unexpected server response: 401"; browsers give no detail.
      const message = (event as { message?: unknown } | null)?.message;
      if (typeof message === 'string') this._error = message;
    };
    _socket.onclose = (event) => {
      if (this._done) return;
      this._detach();
      listener.closed(event.code, event.reason, this._error);
    };
    // An already-open socket (wrapped by the user) reports no `open`: the caller checks `isOpen` right
    // after construction.
  }

  /** True while frames can be sent. */
  get isOpen(): boolean {
    return !this._done && this._socket.readyState === WS_OPEN;
  }

  /** Sends one text frame; returns false when the socket is not open (nothing is sent). */
  send(text: string): boolean {
    if (!this.isOpen) return false;
    this._socket.send(text);
    return true;
  }

  /** Closes the socket and detaches every handler; no callback fires afterwards. */
  close(code = 1000, reason = 'client closed'): void {
    if (this._done) return;
    this._detach();
    try {
      this._socket.close(code, reason);
    } catch {
      // closing a socket that never opened may throw in some implementations; it is gone either way
    }
  }

  private _detach(): void {
    this._done = true;
    const s = this._socket;
    s.onopen = null;
    s.onmessage = null;
    s.onclose = null;
    // Keep a no-op error handler: ws emits 'error' on sockets closed while connecting and an
    // EventEmitter 'error' without a listener would crash the process.
    s.onerror = () => undefined;
  }
}
