import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseChannel } from '../protocol/channel';
import type { MessageError } from '../protocol/messages';
import { checkEventCount, checkEventJson } from '../protocol/validate';
import { authorize, headerRecord, strictHostRefusal } from './auth';
import type { EmulatorHub } from './hub';
import { INTERNAL_FAILURE, runPublish } from './publish';

/** Largest HTTP body read (5 events of 240 KB fit many times over); larger bodies get 413. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Request headers every answer allows: those of every auth mode, including what `iamAuth` signs
 * for an HTTP publish (`accept`, `content-encoding: amz-1.0`) and `x-amz-content-sha256`, which
 * other SigV4 signers add. A preflight also gets the header names it asks for.
 */
const ALLOWED_HEADERS: readonly string[] = [
  'content-type',
  'x-api-key',
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-user-agent',
  'content-encoding',
  'accept',
  'x-amz-content-sha256',
];

const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': ALLOWED_HEADERS.join(', '),
  'access-control-max-age': '86400',
};

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Serves every plain HTTP request of the emulator: `POST /event` publishes (protocol reference §5),
 * `OPTIONS /event` answers CORS preflights permissively, other methods on `/event` get 405 and
 * other paths 404. Error bodies are `{"errors":[{errorType,message}]}`: 400 `BadRequestException`
 * (malformed body, bad channel, unknown namespace, 0 or more than 5 events, an event that is not
 * JSON), 401 `UnauthorizedException` (missing, invalid or expired credentials; with `strictHost`, a
 * `Host` header other than the emulator's), 403 `UnauthorizedException` (auth mode not allowed for
 * the namespace, a handler's `HandlerError`, a rejected IAM signature), 500
 * `MessageProcessingError` (an `onPublish` that crashed or returned something unusable) or
 * `InternalFailureException` (the emulator itself failed). A preflight allows the usual auth and
 * SigV4 headers plus every header name it asks for (`Access-Control-Request-Headers`).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { handleHttpRequest } from './http-publish';
 * createServer((req, res) => handleHttpRequest(hub, req, res));
 * ```
 */
export function handleHttpRequest(hub: EmulatorHub, req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://emulator').pathname;
  if (path !== '/event') {
    req.resume();
    return respond(res, { status: 404, body: errors({ errorType: 'NotFoundException', message: `No route for ${path}: use POST /event or a WebSocket on /event/realtime` }) });
  }
  if (req.method === 'OPTIONS') {
    req.resume();
    return respond(res, { status: 204, body: undefined, headers: preflightHeaders(req.headers['access-control-request-headers']) });
  }
  if (req.method !== 'POST') {
    req.resume();
    return respond(res, {
      status: 405,
      body: errors({ errorType: 'MethodNotAllowedException', message: `${req.method ?? 'This method'} is not allowed on /event; use POST` }),
      headers: { allow: 'POST, OPTIONS' },
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooLarge) return respond(res, { status: 413, body: errors({ errorType: 'BadRequestException', message: 'Request body is too large' }) });
    const raw = Buffer.concat(chunks).toString('utf8');
    hub.recordHttp('in', raw);
    publishOverHttp(hub, req, raw).then(
      (answer) => {
        hub.recordHttp('out', JSON.stringify(answer.body));
        respond(res, answer);
      },
      () => respond(res, { status: 500, body: errors(INTERNAL_FAILURE) }),
    );
  });
  req.on('error', () => res.destroy());
}

async function publishOverHttp(hub: EmulatorHub, req: IncomingMessage, raw: string): Promise<HttpAnswer> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return badRequest('Request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return badRequest('Request body must be a JSON object with channel and events');
  const { channel, events } = body as { channel?: unknown; events?: unknown };
  const parsed = parseChannel(channel);
  if (!parsed.ok) return badRequest(parsed.reason);
  const namespace = hub.config.namespaces.get(parsed.channel.namespace);
  if (!namespace) return badRequest(`Namespace ${parsed.channel.namespace} does not exist`);
  const headers = headerRecord(req.headers);
  // With strictHost, the request's Host header must name the emulator (a request without one too).
  const wrongHost = strictHostRefusal(hub.config, hub.host, { host: headers['host'] ?? '' });
  if (wrongHost) return { status: 401, body: errors(wrongHost) };
  const auth = await authorize(hub.config, {
    auth: headers,
    allowedModes: namespace.publishAuthModes,
    context: { kind: 'http-publish', channel: parsed.channel.path, namespace: namespace.name },
    iamBody: raw,
    expired: () => hub.consumeExpiry(),
  });
  if (!auth.ok) return { status: auth.status, body: errors(auth.error) };
  if (!Array.isArray(events)) return badRequest('Request body must have an events array');
  const badCount = checkEventCount(events.length);
  if (badCount) return badRequest(badCount.message);
  for (let i = 0; i < events.length; i++) {
    const badJson = checkEventJson(events[i]);
    if (badJson) return badRequest(`Event ${i}: ${badJson.message}`);
  }
  const outcome = await runPublish(hub, namespace, parsed.channel, events as string[], auth.identity, headers);
  if (!outcome.ok) {
    // HTTP reports handler refusals as 403 UnauthorizedException with the handler's message (§5).
    const error: MessageError = outcome.status === 403 ? { errorType: 'UnauthorizedException', message: outcome.error.message ?? '' } : outcome.error;
    return { status: outcome.status, body: errors(error) };
  }
  return { status: 200, body: { successful: outcome.successful, failed: outcome.failed } };
}

/**
 * What a CORS preflight answers beyond {@link CORS_HEADERS}: every header name the browser asks
 * for (`Access-Control-Request-Headers`) is allowed as well, so that a client sending headers of
 * its own is not blocked; entries that are not header names are left out.
 */
function preflightHeaders(requested: string | undefined): Record<string, string> {
  const allowed = new Set(ALLOWED_HEADERS);
  for (const name of (requested ?? '').split(',')) {
    const header = name.trim().toLowerCase();
    if (HEADER_NAME.test(header)) allowed.add(header);
  }
  return { 'access-control-allow-headers': [...allowed].join(', '), vary: 'Access-Control-Request-Headers' };
}

function badRequest(message: string): HttpAnswer {
  return { status: 400, body: errors({ errorType: 'BadRequestException', message }) };
}

function errors(error: MessageError): { errors: MessageError[] } {
  return { errors: [error] };
}

function respond(res: ServerResponse, answer: HttpAnswer): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...CORS_HEADERS, ...answer.headers };
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers).end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) }).end(text);
}
