import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseChannel } from '../protocol/channel';
import type { MessageError } from '../protocol/messages';
import { checkEventCount, checkEventJson } from '../protocol/validate';
import { authorize, headerRecord } from './auth';
import type { EmulatorHub } from './hub';
import { runPublish } from './publish';

/** Largest HTTP body read (5 events of 240 KB fit many times over); larger bodies get 413. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'content-type, x-api-key, authorization, x-amz-date, x-amz-security-token, x-amz-user-agent',
  'access-control-max-age': '86400',
};

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
 * JSON), 401 `UnauthorizedException` (missing, invalid or expired credentials), 403
 * `UnauthorizedException` (auth mode not allowed for the namespace, a handler's `HandlerError`, a
 * rejected IAM signature).
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
    return respond(res, { status: 204, body: undefined });
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
      () => respond(res, { status: 500, body: errors({ errorType: 'InternalFailureException', message: 'The emulator failed to process the request' }) }),
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
