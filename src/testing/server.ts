import { STATUS_CODES, createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { apiKeyAuth } from '../auth/api-key';
import type { AuthProvider } from '../auth/types';
import { ValidationError, serverError } from '../errors';
import { parseChannel } from '../protocol/channel';
import { EVENT_WS_SUBPROTOCOL } from '../protocol/limits';
import { isWildcardAddress } from './address';
import { readConnectAuth } from './auth';
import { Connection } from './connection';
import { createFaults } from './faults';
import { encodeTextFrames } from './frames';
import { handleHttpRequest } from './http-publish';
import { EmulatorHub } from './hub';
import { resolveOptions } from './options';
import { runPublish } from './publish';
import type { EventApi, EventApiOptions } from './types';

/**
 * Starts a local AppSync Events API: one port serving the WebSocket protocol on `/event/realtime`
 * and HTTP publish on `POST /event` (https/wss with `tls`). Binds `127.0.0.1` and a free port by
 * default. Resolves once the server listens; `close()` stops everything it started (sockets,
 * timers, servers) so test runners exit on their own.
 *
 * @example
 * ```ts
 * import { createEventsClient } from 'appsync-events-rx';
 * import { startEventApi } from 'appsync-events-rx/testing';
 *
 * const api = await startEventApi({ namespaces: ['default', 'chat'], keepAliveIntervalMs: 1000 });
 * const client = createEventsClient(api.clientConfig);
 * // … test against a real server …
 * await api.close();
 * ```
 */
export async function startEventApi(options: EventApiOptions = {}): Promise<EventApi> {
  const config = resolveOptions(options);
  const hub = new EmulatorHub(config);
  const server: Server = config.tls ? createHttpsServer({ key: config.tls.key, cert: config.tls.cert }) : createHttpServer();
  // The header- token carries credentials: never echo it; select only aws-appsync-event-ws (§1.2).
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has(EVENT_WS_SUBPROTOCOL) ? EVENT_WS_SUBPROTOCOL : false) });
  let closing: Promise<void> | undefined;

  server.on('request', (req, res) => handleHttpRequest(hub, req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    if (closing) return refuseUpgrade(socket, 503);
    if (path !== '/event/realtime') return refuseUpgrade(socket, 404);
    if (hub.faults.refuseCount > 0) {
      hub.faults.refuseCount -= 1;
      return refuseUpgrade(socket, hub.faults.refuseStatus);
    }
    const connectAuth = readConnectAuth(req);
    // The auth object is read; ws only needs to see the protocol it selects. (ws rejects the whole
    // handshake on tokens that are not RFC 7230 tokens, such as a padded `header-…=` one.)
    if (connectAuth.offersEventProtocol) req.headers['sec-websocket-protocol'] = EVENT_WS_SUBPROTOCOL;
    else delete req.headers['sec-websocket-protocol'];
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (closing) ws.terminate();
      else new Connection(hub, ws, req, connectAuth, socket);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const secure = config.tls !== undefined;
  // As a client's URL parser writes it (lower case, shortest IPv6 form, no default port), so that
  // `strictHost` compares like with like.
  const host = new URL(`${secure ? 'https' : 'http'}://${urlHost(config.host)}:${port}`).host;
  hub.host = host;
  const httpEndpoint = `${secure ? 'https' : 'http'}://${host}/event`;
  const realtimeEndpoint = `${secure ? 'wss' : 'ws'}://${host}/event/realtime`;
  const apiKey = config.apiKeys[0] ?? '';
  const auth: AuthProvider = apiKey !== '' ? apiKeyAuth(apiKey) : ({ host: h }) => ({ host: h });

  const close = (): Promise<void> => {
    closing ??= (async () => {
      hub.timers.clear();
      for (const connection of [...hub.connections.values()]) connection.terminate();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      hub.traffic.complete();
    })();
    return closing;
  };

  return {
    httpEndpoint,
    realtimeEndpoint,
    host,
    port,
    apiKey,
    apiKeys: [...config.apiKeys],
    ...(config.tls ? { certificate: config.tls.cert } : {}),
    clientConfig: { httpEndpoint, realtimeEndpoint, auth },
    faults: createFaults(hub),
    traffic$: hub.traffic.asObservable(),
    stats: () => hub.stats(),
    connectionIds: () => [...hub.connections.keys()],
    burst(connectionId, frames) {
      const connection = hub.connections.get(connectionId);
      if (!connection) throw new ValidationError('INVALID_ARGUMENT', `burst: no open connection with id ${connectionId}`);
      const chunks = encodeTextFrames(frames);
      const bytes = chunks.reduce((n, c) => n + c.length, 0);
      return { frames: frames.length, bytes, send: () => connection.writeFrames(chunks, frames.length) };
    },
    async publish(channel, events) {
      const parsed = parseChannel(channel);
      if (!parsed.ok) throw new ValidationError('INVALID_CHANNEL', parsed.reason);
      const namespace = config.namespaces.get(parsed.channel.namespace);
      if (!namespace) throw new ValidationError('INVALID_CHANNEL', `namespace ${parsed.channel.namespace} does not exist`);
      const encoded = events.map((event, index) => {
        let text: string | undefined;
        try {
          text = JSON.stringify(event);
        } catch {
          // A BigInt, a cycle: refused like a value JSON leaves out.
        }
        if (text === undefined) throw new ValidationError('INVALID_ARGUMENT', `event ${index} cannot be encoded as JSON`, index);
        return text;
      });
      const outcome = await runPublish(hub, namespace, parsed.channel, encoded, null, {});
      if (!outcome.ok) throw serverError('http-publish', [outcome.error], outcome.status);
      // Events refused one by one (over 240 KB, or marked with an error by onPublish) went nowhere,
      // while the others were broadcast: say which, or a test would wait for them forever.
      if (outcome.failed.length > 0) {
        const total = encoded.length;
        throw serverError(
          'http-publish',
          outcome.failed.map((f) => ({
            errorType: f.code ?? 'MessageProcessingError',
            message: `event ${f.index} of ${total} was not broadcast${f.message ? `: ${f.message}` : ''}`,
          })),
        );
      }
    },
    close,
  };
}

function refuseUpgrade(socket: Duplex, status: number): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function urlHost(bindHost: string): string {
  // Wildcard binds are reached through loopback; IPv6 literals need brackets in URLs.
  if (isWildcardAddress(bindHost)) return bindHost.includes(':') ? '[::1]' : '127.0.0.1';
  return bindHost.includes(':') ? `[${bindHost}]` : bindHost;
}
