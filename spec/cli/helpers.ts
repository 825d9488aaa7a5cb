import { once } from 'node:events';
import { request } from 'node:https';
import { createServer } from 'node:net';
import WebSocket from 'ws';
import { BANNER_LABELS, READY_LINE } from '../../src/cli/banner';
import type { ServeIo } from '../../src/cli/serve';

/** A {@link ServeIo} that records what is written, with a way to await a line. */
export interface CapturedIo extends ServeIo {
  readonly out: () => string;
  readonly err: () => string;
  /** Resolves with stdout so far once it contains `text`. */
  readonly waitForStdout: (text: string) => Promise<string>;
}

export function captureIo(signals?: ServeIo['signals']): CapturedIo {
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: (all: string) => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      if (out.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(out);
      }
    }
  };
  return {
    stdout: {
      write: (text: string) => {
        out += text;
        check();
        return true;
      },
    },
    stderr: { write: (text: string) => ((err += text), true) },
    ...(signals === undefined ? {} : { signals }),
    out: () => out,
    err: () => err,
    waitForStdout: (text) =>
      new Promise((resolve) => {
        waiters.push({ text, resolve });
        check();
      }),
  };
}

/** What a user copies from the `serve` banner. */
export interface PrintedEndpoints {
  readonly httpEndpoint: string;
  readonly realtimeEndpoint: string;
  readonly apiKey: string;
  readonly certificatePath?: string;
  /** The `host` that goes into auth objects: the HTTP endpoint's host. */
  readonly host: string;
  readonly port: number;
}

/** Reads the values printed by `serve`, failing loudly if the banner is incomplete. */
export function readBanner(output: string): PrintedEndpoints {
  expect(output).toContain(READY_LINE);
  const value = (label: string): string | undefined =>
    output
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line.startsWith(label))
      ?.slice(label.length)
      .trim();
  const httpEndpoint = value(BANNER_LABELS.httpEndpoint);
  const realtimeEndpoint = value(BANNER_LABELS.realtimeEndpoint);
  const apiKey = value(BANNER_LABELS.apiKey);
  if (httpEndpoint === undefined || realtimeEndpoint === undefined || apiKey === undefined) {
    throw new Error(`incomplete banner:\n${output}`);
  }
  const certificatePath = value(BANNER_LABELS.certificate);
  const url = new URL(httpEndpoint);
  return {
    httpEndpoint,
    realtimeEndpoint,
    apiKey,
    ...(certificatePath === undefined ? {} : { certificatePath }),
    host: url.host,
    port: Number(url.port),
  };
}

export function headerSubprotocol(auth: Record<string, string>): string {
  return `header-${Buffer.from(JSON.stringify(auth), 'utf8').toString('base64url')}`;
}

/** A WebSocket with a queue of parsed frames. */
export interface TestSocket {
  readonly ws: WebSocket;
  /** Resolves with the next frame whose `type` is one of `types` (earlier frames of other types are skipped). */
  next(...types: string[]): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * Opens a socket the way a browser client does (two subprotocols), sends `connection_init` and
 * resolves once the socket is open. Use `next('connection_ack', 'connection_error')` for the answer.
 */
export async function openSocket(endpoints: { realtimeEndpoint: string; host: string }, apiKey: string, ca?: string): Promise<TestSocket> {
  const ws = new WebSocket(
    endpoints.realtimeEndpoint,
    ['aws-appsync-event-ws', headerSubprotocol({ host: endpoints.host, 'x-api-key': apiKey })],
    ca === undefined ? {} : { ca },
  );
  const frames: Record<string, unknown>[] = [];
  const waiters: { types: string[]; resolve: (f: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  const pump = (): void => {
    while (waiters.length > 0 && frames.length > 0) {
      const frame = frames.shift() as Record<string, unknown>;
      const waiter = waiters[0] as (typeof waiters)[number];
      if (waiter.types.includes(String(frame['type']))) {
        waiters.shift();
        waiter.resolve(frame);
      }
    }
  };
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Record<string, unknown>);
    pump();
  });
  ws.on('close', (code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`socket closed (${code}) while waiting for ${w.types.join('|')}`));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'connection_init' }));
  return {
    ws,
    next: (...types) =>
      new Promise((resolve, reject) => {
        if (ws.readyState === WebSocket.CLOSED) {
          reject(new Error(`socket already closed while waiting for ${types.join('|')}`));
          return;
        }
        waiters.push({ types, resolve, reject });
        pump();
      }),
    close: async () => {
      if (ws.readyState === WebSocket.CLOSED) return;
      const closed = once(ws, 'close');
      ws.close();
      await closed;
    },
  };
}

/** HTTP publish with `fetch` (plain http). */
export async function httpPublish(httpEndpoint: string, apiKey: string, channel: string, events: unknown[]): Promise<{ status: number; body: unknown }> {
  const res = await fetch(httpEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ channel, events: events.map((e) => JSON.stringify(e)) }),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** HTTP publish over `node:https`, trusting `ca`. */
export function httpsPublish(httpEndpoint: string, apiKey: string, channel: string, events: unknown[], ca: string): Promise<{ status: number; body: unknown }> {
  const payload = JSON.stringify({ channel, events: events.map((e) => JSON.stringify(e)) });
  return new Promise((resolve, reject) => {
    const req = request(
      httpEndpoint,
      { method: 'POST', ca, headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** True when nothing listens on 127.0.0.1:`port` any more (we can bind it ourselves). */
export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const server = createServer();
  try {
    server.listen(port, host);
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    if (server.listening) {
      server.close();
      await once(server, 'close');
    }
  }
}
