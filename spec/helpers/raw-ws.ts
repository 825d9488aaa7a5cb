/**
 * A frame-by-frame WebSocket client for tests: connects with any subprotocols/headers, buffers
 * every frame it receives, and hands them out with `next(predicate)`. There is no timeout of its
 * own — a frame that never comes fails the test through Jest's test timeout — and a waiter is
 * rejected as soon as the socket closes, so a broken server fails fast instead of hanging.
 *
 * @example
 * ```ts
 * import { connectRaw, headerSubprotocols } from '../helpers/raw-ws';
 * const c = await connectRaw(api.realtimeEndpoint, { protocols: headerSubprotocols({ host: api.host, 'x-api-key': api.apiKey }) });
 * c.send({ type: 'connection_init' });
 * const ack = await c.next((f) => f.type === 'connection_ack');
 * await c.close();
 * ```
 */
import WebSocket from 'ws';
import { connectionSubprotocols } from '../../src/auth/header';
import type { Authorization } from '../../src/protocol/messages';

/** One received frame, parsed (binary or non-JSON frames arrive as `{ type: '<non-json>', raw }`). */
export type RawFrame = { readonly type: string; readonly id?: string; readonly raw: string } & Record<string, unknown>;

/** How a connection closed. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** Options of {@link connectRaw}. */
export interface ConnectRawOptions {
  /** Offered subprotocols (default: none). */
  readonly protocols?: readonly string[];
  /** Extra HTTP headers on the upgrade request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** CA certificate to trust (wss). */
  readonly ca?: string;
}

/** A connected raw client. */
export interface RawClient {
  readonly ws: WebSocket;
  /** Every frame received so far, in order (consumed or not). */
  readonly frames: readonly RawFrame[];
  /** Resolves with how the socket closed. */
  readonly closed: Promise<CloseInfo>;
  /** Sends an object as JSON, or a string as is. */
  send(frame: object | string): void;
  /**
   * The next not-yet-consumed frame matching `predicate` (already buffered or still to come), which
   * is then consumed. Rejects if the socket closes first.
   */
  next(predicate?: (frame: RawFrame) => boolean): Promise<RawFrame>;
  /** `next` for a frame of one `type` (and optionally one `id`). */
  nextOf(type: string, id?: string): Promise<RawFrame>;
  /** Closes from the client side and waits for the close to complete. */
  close(code?: number): Promise<CloseInfo>;
}

/** The two subprotocols a browser client offers for `auth` (`aws-appsync-event-ws` + `header-…`). */
export function headerSubprotocols(auth: Authorization): string[] {
  return connectionSubprotocols(auth);
}

/** Error of a refused upgrade, with the HTTP status. */
export class UpgradeRefusedError extends Error {
  constructor(readonly status: number) {
    super(`WebSocket upgrade refused with HTTP ${status}`);
  }
}

/**
 * Opens a WebSocket and resolves once it is open. Rejects with {@link UpgradeRefusedError} when the
 * server answers the upgrade with an HTTP status, or with the socket's error.
 */
export function connectRaw(url: string, options: ConnectRawOptions = {}): Promise<RawClient> {
  const ws = new WebSocket(url, [...(options.protocols ?? [])], {
    headers: { ...options.headers },
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
  });
  const frames: RawFrame[] = [];
  const pending: RawFrame[] = [];
  const waiters: { predicate: (f: RawFrame) => boolean; resolve: (f: RawFrame) => void; reject: (e: Error) => void }[] = [];
  let closeInfo: CloseInfo | undefined;

  // Errors after the handshake surface as a close; keep ws from throwing an unhandled 'error'.
  ws.on('error', () => undefined);
  const closed = new Promise<CloseInfo>((resolve) => {
    ws.on('close', (code, reason) => {
      closeInfo = { code, reason: reason.toString() };
      for (const w of waiters.splice(0)) w.reject(new Error(`socket closed (${code}) before a matching frame arrived`));
      resolve(closeInfo);
    });
  });

  ws.on('message', (data, isBinary) => {
    const raw = isBinary ? '<binary>' : data.toString();
    let frame: RawFrame;
    try {
      const parsed: unknown = JSON.parse(raw);
      frame = typeof parsed === 'object' && parsed !== null ? ({ ...(parsed as object), raw } as RawFrame) : { type: '<non-json>', raw };
    } catch {
      frame = { type: '<non-json>', raw };
    }
    frames.push(frame);
    const index = waiters.findIndex((w) => w.predicate(frame));
    if (index >= 0) {
      const [waiter] = waiters.splice(index, 1);
      waiter?.resolve(frame);
    } else pending.push(frame);
  });

  const client: RawClient = {
    ws,
    frames,
    closed,
    send(frame) {
      ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    },
    next(predicate = () => true) {
      const index = pending.findIndex(predicate);
      if (index >= 0) return Promise.resolve(pending.splice(index, 1)[0] as RawFrame);
      if (closeInfo) return Promise.reject(new Error(`socket closed (${closeInfo.code}) before a matching frame arrived`));
      return new Promise<RawFrame>((resolve, reject) => waiters.push({ predicate, resolve, reject }));
    },
    nextOf(type, id) {
      return client.next((f) => f.type === type && (id === undefined || f.id === id));
    },
    close(code = 1000) {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code);
      return closed;
    },
  };

  return new Promise<RawClient>((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      reject(new UpgradeRefusedError(res.statusCode ?? 0));
    });
    ws.once('error', (err) => reject(err));
  });
}
