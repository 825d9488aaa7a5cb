import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import { channelMatches, parseChannel, type ChannelPath } from '../protocol/channel';
import { decodeSendMessage, type SendMessageDecodeResult } from '../protocol/decode';
import type { MessageError, PublishMessage, SubscribeMessage } from '../protocol/messages';
import { checkEventCount, checkEventJson, checkOperationId } from '../protocol/validate';
import { UNAUTHORIZED, authorize, headerRecord, lowerCaseKeys, strictHostRefusal, type AuthOutcome, type ConnectAuth } from './auth';
import { webSocketSignedBody } from '../auth/header';
import { handlerContext, runOnSubscribe } from './handlers';
import type { EmulatorHub } from './hub';
import { INTERNAL_FAILURE, runPublish } from './publish';
import { MAX_TIMER_MS, TimerSet } from './timers';


type Frame = { readonly type: string; readonly id?: string } & Record<string, unknown>;

/** The reply faults in force when a frame arrived: they apply to that frame's answer. */
interface ReplyFaults {
  readonly withholdAcks: boolean;
  readonly ackDelayMs: number;
  readonly withholdReplies: boolean;
  readonly replyDelayMs: number;
}

/**
 * One accepted WebSocket connection: authorizes the handshake, then processes the client's frames
 * strictly in arrival order (a promise chain, so async validators and handlers cannot reorder
 * replies), holds the connection's subscriptions and delivers broadcast events to them. Owns its
 * `ka` interval, its max-age timer and any delayed replies, and clears them all when the socket
 * closes.
 *
 * @example
 * ```ts
 * import { Connection } from './connection';
 * wss.handleUpgrade(req, socket, head, (ws) => new Connection(hub, ws, req, readConnectAuth(req), socket));
 * ```
 */
export class Connection {
  readonly id: string;
  private readonly subscriptions = new Map<string, ChannelPath>();
  /** Subscriptions in effect whose `subscribe_success` has not been sent yet (delayed or withheld). */
  private readonly unacknowledged = new Set<string>();
  private readonly timers = new TimerSet();
  private readonly connectAuth: Promise<AuthOutcome>;
  private readonly upgradeHeaders: Record<string, string>;
  private authorized: boolean | undefined;
  private rejected = false;
  private disposed = false;
  private queue: Promise<void> = Promise.resolve();
  private publishTimes: number[] = [];

  constructor(
    private readonly hub: EmulatorHub,
    private readonly ws: WebSocket,
    req: IncomingMessage,
    auth: ConnectAuth,
    /** The upgraded socket under `ws` (for {@link Connection.writeFrames}). */
    private readonly socket?: Duplex,
  ) {
    this.id = hub.nextConnectionId();
    this.upgradeHeaders = headerRecord(req.headers);
    delete this.upgradeHeaders['sec-websocket-protocol'];
    delete this.upgradeHeaders['sec-websocket-key'];
    hub.connections.set(this.id, this);
    // Handled at once, so it can never become an unhandled rejection while the client sends
    // nothing (authorize() does not reject; anything else that fails here is a refusal too).
    this.connectAuth = this.authorizeConnect(auth)
      .catch((): AuthOutcome => ({ ok: false, status: 401, error: UNAUTHORIZED }))
      .then((outcome) => {
        this.authorized = outcome.ok;
        return outcome;
      });

    const config = hub.config;
    this.timers.interval(() => {
      // Not before the credentials are accepted: a refused connection only gets its connection_error
      // (an async validator may take longer than one interval).
      if (!this.hub.faults.keepAlivePaused && this.authorized === true) this.send({ type: 'ka' });
    }, config.keepAliveIntervalMs);
    if (config.maxConnectionAgeMs <= MAX_TIMER_MS) {
      this.timers.timeout(() => this.close(1000, 'Connection reached its maximum age'), config.maxConnectionAgeMs);
    }

    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.dispose());
    // ws reports protocol violations here and then closes the socket; nothing else to do.
    ws.on('error', () => undefined);
  }

  /** Live subscriptions on this connection. */
  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  /** Sends one `data` frame per event per subscription of this connection that matches `channel`. */
  deliver(channel: ChannelPath, events: readonly string[]): void {
    if (this.subscriptions.size === 0) return;
    for (const event of events) {
      for (const [id, subscription] of this.subscriptions) {
        if (channelMatches(subscription, channel)) this.send({ type: 'data', id, event });
      }
    }
  }

  /** Sends a text frame as is (the `sendRaw` fault). */
  sendRaw(frame: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    let type = 'invalid';
    let id: string | undefined;
    try {
      const parsed: unknown = JSON.parse(frame);
      if (typeof parsed === 'object' && parsed !== null) {
        const p = parsed as { type?: unknown; id?: unknown };
        if (typeof p.type === 'string') type = p.type;
        if (typeof p.id === 'string') id = p.id;
      }
    } catch {
      // not JSON: recorded as 'invalid'
    }
    this.hub.recordFrame('out', this.id, frame, type, id);
    this.ws.send(frame);
  }

  /**
   * Writes already-framed WebSocket messages (see `encodeTextFrames`) straight to the socket, in
   * order, for load generation. Each buffer holds whole frames and `ws` writes whole frames
   * synchronously, so these never interleave inside one of its frames. Resolves once the socket has
   * taken the last buffer; rejects when the connection is gone or the write fails.
   */
  writeFrames(chunks: readonly Buffer[], frames: number): Promise<void> {
    const socket = this.socket;
    if (this.disposed || socket === undefined || this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error(`connection ${this.id} is not open`));
    }
    this.hub.countSent('raw', frames);
    return new Promise<void>((resolve, reject) => {
      if (chunks.length === 0) return resolve();
      chunks.forEach((chunk, i) => {
        socket.write(chunk, i === chunks.length - 1 ? (error) => (error ? reject(error) : resolve()) : undefined);
      });
    });
  }

  /** Closes the socket with a close frame; the connection counts as gone at once. */
  close(code: number, reason = ''): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
    this.dispose();
  }

  /** Cuts the socket without a close frame and forgets the connection at once. */
  terminate(): void {
    this.ws.terminate();
    this.dispose();
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.timers.clear();
    this.subscriptions.clear();
    this.hub.connections.delete(this.id);
  }

  private async authorizeConnect(auth: ConnectAuth): Promise<AuthOutcome> {
    const denied: AuthOutcome = { ok: false, status: 401, error: UNAUTHORIZED };
    // A connection that does not offer aws-appsync-event-ws, or whose auth object cannot be read, is
    // treated like bad credentials: [UNK] in the reference (§7.1), this is its suggestion.
    if (!auth.offersEventProtocol || auth.auth === undefined) return denied;
    const host = auth.auth['host'];
    // A missing host is [UNK] (§1.3); the reference suggests refusing it like bad credentials.
    if (host === undefined || host === '') return denied;
    if (this.hub.config.strictHost && host !== this.hub.host) return denied;
    return authorize(this.hub.config, { auth: auth.auth, allowedModes: this.hub.config.connectionAuthModes, context: { kind: 'connect' }, iamBody: '{}' });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    let decoded: SendMessageDecodeResult;
    if (isBinary) {
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
      decoded = decodeSendMessage(data);
      this.hub.recordFrame('in', this.id, `<binary frame, ${size} bytes>`, 'invalid');
    } else {
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
      decoded = decodeSendMessage(text);
      const type = decoded.ok ? decoded.message.type : 'invalid';
      const id = decoded.ok ? ('id' in decoded.message ? decoded.message.id : undefined) : decoded.id;
      this.hub.recordFrame('in', this.id, text, type, id);
    }
    const { withholdAcks, ackDelayMs, withholdReplies, replyDelayMs } = this.hub.faults;
    const faults: ReplyFaults = { withholdAcks, ackDelayMs, withholdReplies, replyDelayMs };
    // The rate limit counts a publish when it arrived, not when its turn in the queue came (after
    // earlier frames' handlers and its own authorization), as the service would.
    const arrivedAt = Date.now();
    this.queue = this.queue.then(() => this.handle(decoded, faults, arrivedAt)).catch(() => undefined);
  }

  private async handle(decoded: SendMessageDecodeResult, faults: ReplyFaults, arrivedAt: number): Promise<void> {
    const auth = await this.connectAuth;
    if (this.disposed || this.rejected) return;
    if (!auth.ok) {
      this.rejected = true;
      const error = auth.error.errorType === 'UnauthorizedException' ? { ...UNAUTHORIZED, errorCode: 401 } : { ...auth.error, errorCode: 400 };
      this.send({ type: 'connection_error', errors: [error] });
      this.close(1000);
      return;
    }
    const reply = (frame: Frame): void => {
      if (faults.withholdReplies) return;
      if (faults.replyDelayMs > 0) this.timers.timeout(() => this.send(frame), faults.replyDelayMs);
      else this.send(frame);
    };
    if (!decoded.ok) return this.replyMalformed(decoded, reply);
    const message = decoded.message;
    switch (message.type) {
      case 'connection_init':
        if (faults.withholdAcks) return;
        return this.ack(faults.ackDelayMs);
      case 'subscribe':
        return this.answerOnce('subscribe', message.id, reply, (once) => this.subscribe(message, once));
      case 'unsubscribe':
        // §7.3: the service silently ignores an unsubscribe for a subscribe it has not answered yet
        // (reported from e2e work; weak evidence), exposed as an opt-in fault.
        if (this.hub.faults.ignoreEarlyUnsubscribe && this.unacknowledged.has(message.id)) return;
        this.unacknowledged.delete(message.id);
        if (this.subscriptions.delete(message.id)) return reply({ type: 'unsubscribe_success', id: message.id });
        return reply({
          type: 'unsubscribe_error',
          id: message.id,
          errors: [{ errorType: 'UnknownOperationError', message: `Unknown operation id ${message.id}` }],
        });
      case 'publish':
        return this.answerOnce('publish', message.id, reply, (once) => this.publish(message, once, arrivedAt));
    }
  }

  /**
   * Runs a subscribe or publish so that it gets exactly one reply (protocol reference §7.4): at
   * most the one it sends itself, and `subscribe_error` / `publish_error` with
   * {@link INTERNAL_FAILURE} when anything escapes before it replied.
   */
  private async answerOnce(
    type: 'subscribe' | 'publish',
    id: string,
    reply: (frame: Frame) => void,
    run: (reply: (frame: Frame) => void) => Promise<void>,
  ): Promise<void> {
    let answered = false;
    const once = (frame: Frame): void => {
      if (answered) return;
      answered = true;
      reply(frame);
    };
    try {
      await run(once);
    } catch {
      once({ type: `${type}_error`, id, errors: [INTERNAL_FAILURE] });
    }
  }

  private replyMalformed(decoded: Extract<SendMessageDecodeResult, { ok: false }>, reply: (frame: Frame) => void): void {
    const { id, type, violation } = decoded;
    const error: MessageError = { errorType: violation.errorType, message: violation.message };
    // An operation we can correlate gets its own *_error (e.g. a subscribe without authorization,
    // §7.6); anything else gets a generic `error` frame, with the id when one was readable.
    // The shape is checked before the id's format (docs/emulator.md): a missing `authorization`
    // is refused as such, whatever the id looks like.
    if (id !== undefined && (type === 'subscribe' || type === 'publish' || type === 'unsubscribe')) {
      reply({ type: `${type}_error`, id, errors: [error] });
      return;
    }
    this.send(id === undefined ? { type: 'error', errors: [error] } : { type: 'error', id, errors: [error] });
  }

  private ack(delayMs: number): void {
    const frame = { type: 'connection_ack', connectionTimeoutMs: this.hub.config.connectionTimeoutMs };
    if (delayMs > 0) this.timers.timeout(() => this.send(frame), delayMs);
    else this.send(frame);
  }

  private async subscribe(message: SubscribeMessage, reply: (frame: Frame) => void): Promise<void> {
    const { id, channel } = message;
    const fail = (error: MessageError): void => reply({ type: 'subscribe_error', id, errors: [error] });
    const badId = checkOperationId(id);
    if (badId) return fail(badId);
    if (this.subscriptions.has(id)) {
      // The exact errorType for a duplicated id is [UNK] (§3); the reference suggests BadRequestException.
      return fail({ errorType: 'BadRequestException', message: `Subscription id ${id} is duplicated: it is already in use on this connection` });
    }
    const parsed = parseChannel(channel, { allowWildcard: true });
    if (!parsed.ok) return fail({ errorType: 'BadRequestException', message: parsed.reason });
    const namespace = this.hub.config.namespaces.get(parsed.channel.namespace);
    if (!namespace) return fail(unknownNamespace(parsed.channel.namespace));
    const wrongHost = strictHostRefusal(this.hub.config, this.hub.host, message.authorization);
    if (wrongHost) return fail(wrongHost);
    const auth = await authorize(this.hub.config, {
      auth: message.authorization,
      allowedModes: namespace.subscribeAuthModes,
      context: { kind: 'subscribe', channel: parsed.channel.path, namespace: namespace.name },
      iamBody: webSocketSignedBody(channel),
      expired: () => this.hub.consumeExpiry(),
    });
    if (!auth.ok) return fail(auth.error);
    const ctx = handlerContext(namespace, parsed.channel, 'SUBSCRIBE', [], auth.identity, this.requestHeaders(message.authorization));
    const refusal = await runOnSubscribe(namespace, ctx);
    if (refusal) return fail(refusal.error);
    if (this.subscriptions.size >= this.hub.config.maxSubscriptionsPerConnection) {
      // errorType [UNK] for the Event API (§2.6); the Android client's mapping suggests this one.
      return fail({
        errorType: 'MaxSubscriptionsReachedError',
        message: `A connection may hold at most ${this.hub.config.maxSubscriptionsPerConnection} subscriptions`,
      });
    }
    if (this.disposed) return;
    this.subscriptions.set(id, parsed.channel);
    this.unacknowledged.add(id);
    reply({ type: 'subscribe_success', id });
  }

  private async publish(message: PublishMessage, reply: (frame: Frame) => void, arrivedAt: number): Promise<void> {
    const { id, channel, events } = message;
    const fail = (error: MessageError): void => reply({ type: 'publish_error', id, errors: [error] });
    const badId = checkOperationId(id);
    if (badId) return fail(badId);
    const parsed = parseChannel(channel);
    if (!parsed.ok) return fail({ errorType: 'BadRequestException', message: parsed.reason });
    const namespace = this.hub.config.namespaces.get(parsed.channel.namespace);
    if (!namespace) return fail(unknownNamespace(parsed.channel.namespace));
    const wrongHost = strictHostRefusal(this.hub.config, this.hub.host, message.authorization);
    if (wrongHost) return fail(wrongHost);
    const auth = await authorize(this.hub.config, {
      auth: message.authorization,
      allowedModes: namespace.publishAuthModes,
      context: { kind: 'publish', channel: parsed.channel.path, namespace: namespace.name },
      // As the service rebuilds it from the frame (HTML-safe escaping, protocol reference §4.3 [INF]).
      iamBody: webSocketSignedBody(channel, events),
      expired: () => this.hub.consumeExpiry(),
    });
    if (!auth.ok) return fail(auth.error);
    const badCount = checkEventCount(events.length);
    if (badCount) return fail(badCount);
    for (let i = 0; i < events.length; i++) {
      const badJson = checkEventJson(events[i]);
      // Whole-request or per-event rejection is [UNK] (§7.6); the reference suggests publish_error.
      if (badJson) return fail({ errorType: badJson.errorType, message: `Event ${i}: ${badJson.message}` });
    }
    if (this.rateLimited(arrivedAt)) {
      // errorType [UNK] (§6.1); LimitExceededError is the reference's suggestion.
      return fail({
        errorType: 'LimitExceededError',
        message: `Rate limit exceeded: at most ${String(this.hub.config.publishRateLimit)} publish requests per second per connection`,
      });
    }
    const outcome = await runPublish(this.hub, namespace, parsed.channel, events, auth.identity, this.requestHeaders(message.authorization));
    if (!outcome.ok) return fail(outcome.error);
    reply({ type: 'publish_success', id, successful: outcome.successful, failed: outcome.failed });
  }

  /** Sliding one-second window over this connection's publish requests, by arrival time. */
  private rateLimited(arrivedAt: number): boolean {
    const limit = this.hub.config.publishRateLimit;
    if (limit === false) return false;
    this.publishTimes = this.publishTimes.filter((t) => arrivedAt - t < 1000);
    if (this.publishTimes.length >= limit) return true;
    this.publishTimes.push(arrivedAt);
    return false;
  }

  /** What handlers see as `ctx.request.headers`: the upgrade request's headers plus the operation's auth object. */
  private requestHeaders(authorization: Readonly<Record<string, string | undefined>>): Record<string, string> {
    return { ...this.upgradeHeaders, ...lowerCaseKeys(authorization) };
  }

  private send(frame: Frame): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (frame.type === 'subscribe_success' && frame.id !== undefined) this.unacknowledged.delete(frame.id);
    const raw = JSON.stringify(frame);
    this.hub.recordFrame('out', this.id, raw, frame.type, frame.id);
    this.ws.send(raw);
  }
}

function unknownNamespace(name: string): MessageError {
  return { errorType: 'BadRequestException', message: `Namespace ${name} does not exist` };
}
