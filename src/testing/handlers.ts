import { scrubSecrets } from '../errors';
import type { ChannelPath } from '../protocol/channel';
import type { MessageError } from '../protocol/messages';
import { HandlerError } from './handler-error';
import type { ResolvedNamespace } from './options';
import type { HandlerContext, HandlerEvent } from './types';

/**
 * A handler's refusal: the error to report and the HTTP status for HTTP publish (403 for
 * {@link HandlerError}, 500 for a handler that crashed or returned something unusable).
 *
 * @example
 * ```ts
 * import type { HandlerRefusal } from './handlers';
 * const r: HandlerRefusal = { status: 403, error: { errorType: 'UnauthorizedException', message: 'closed' } };
 * ```
 */
export interface HandlerRefusal {
  readonly status: 403 | 500;
  readonly error: MessageError;
}

/**
 * Builds the `ctx` a namespace handler receives (protocol reference §7.8).
 *
 * @example
 * ```ts
 * import { handlerContext } from './handlers';
 * const ctx = handlerContext(ns, channel, 'SUBSCRIBE', [], null, {});
 * ```
 */
export function handlerContext(
  namespace: ResolvedNamespace,
  channel: ChannelPath,
  operation: 'PUBLISH' | 'SUBSCRIBE',
  events: readonly HandlerEvent[],
  identity: Record<string, unknown> | null,
  headers: Readonly<Record<string, string>>,
): HandlerContext {
  return {
    events,
    info: {
      channel: { path: channel.path, segments: [...channel.segments] },
      channelNamespace: { name: namespace.name },
      operation,
    },
    identity,
    request: { headers: { ...headers } },
  };
}

/**
 * Runs a namespace's `onSubscribe` (if any). A thrown {@link HandlerError} denies the subscription
 * (errorType `Unauthorized` for `unauthorized()`, else `UnauthorizedException`, with the handler's
 * message); any other exception (whatever was thrown) is reported as `SubscriptionProcessingError`.
 * Never rejects.
 *
 * @example
 * ```ts
 * import { runOnSubscribe } from './handlers';
 * const refusal = await runOnSubscribe(ns, ctx);
 * if (refusal) reply({ type: 'subscribe_error', id, errors: [refusal.error] });
 * ```
 */
export async function runOnSubscribe(namespace: ResolvedNamespace, ctx: HandlerContext): Promise<HandlerRefusal | undefined> {
  const handler = namespace.config.onSubscribe;
  if (!handler) return undefined;
  try {
    await handler(ctx);
    return undefined;
  } catch (err) {
    return refusal(err, 'SubscriptionProcessingError', 'onSubscribe');
  }
}

/**
 * Runs a namespace's `onPublish` and checks what it returned: `null` (nothing to broadcast, as
 * AWS's `OutgoingEvent[] | null`), or an array whose entries are `null` or events reusing the ids
 * of `ctx.events` (§7.8). Without a handler the events pass through.
 *
 * The handler gets a fresh array of copies of the events (it may change them in place), and the ids it may return are
 * taken before it runs, so whatever it does to `ctx.events` (push, splice, sort) cannot change
 * which ids are valid. The entries it returns are copied into plain events here. Never rejects:
 * a throw (of any value), a result that is not `null` or an array, an entry that is neither
 * `null` nor an event with a known id, or one whose properties cannot be read is a refusal
 * (`MessageProcessingError`, HTTP 500; a {@link HandlerError} gives 403).
 *
 * @example
 * ```ts
 * import { runOnPublish } from './handlers';
 * const result = await runOnPublish(ns, ctx);
 * if (result.ok) console.log(result.events.length);
 * ```
 */
export async function runOnPublish(
  namespace: ResolvedNamespace,
  ctx: HandlerContext,
): Promise<{ readonly ok: true; readonly events: readonly (HandlerEvent | null)[] } | ({ readonly ok: false } & HandlerRefusal)> {
  const handler = namespace.config.onPublish;
  if (!handler) return { ok: true, events: ctx.events };
  const ids = new Set(ctx.events.map((e) => e.id));
  // Copies: the handler may change them in place (as AWS handlers may), never the emulator's own.
  const given: HandlerContext = { ...ctx, events: ctx.events.map((e) => ({ ...e })) };
  let returned: unknown;
  try {
    returned = await handler(given);
  } catch (err) {
    return { ok: false, ...refusal(err, 'MessageProcessingError', 'onPublish') };
  }
  if (returned === null) return { ok: true, events: [] };
  if (!Array.isArray(returned)) return { ok: false, ...broken('onPublish must return an array of events or null') };
  const events: (HandlerEvent | null)[] = [];
  const returnedIds = new Set<string>();
  try {
    for (const entry of returned as unknown[]) {
      if (entry === null) {
        events.push(null);
        continue;
      }
      if (typeof entry !== 'object') return { ok: false, ...broken('onPublish returned an entry that is neither null nor an event with an id') };
      const { id, payload, error } = entry as { readonly id?: unknown; readonly payload?: unknown; readonly error?: unknown };
      if (typeof id !== 'string') return { ok: false, ...broken('onPublish returned an entry that is neither null nor an event with an id') };
      if (!ids.has(id)) return { ok: false, ...broken('onPublish returned an event with an id it was not given') };
      // Each event has one outcome: returned twice, it would be broadcast twice or both fail and succeed.
      if (returnedIds.has(id)) return { ok: false, ...broken('onPublish returned the same event more than once') };
      returnedIds.add(id);
      events.push(error === undefined ? { id, payload } : { id, payload, error: describe(error) });
    }
  } catch (err) {
    return { ok: false, ...broken(scrubSecrets(`onPublish returned an entry that could not be read: ${describe(err)}`)) };
  }
  return { ok: true, events };
}

/**
 * A thrown or returned value as text, for error messages: an `Error`'s message, else `String()`;
 * never throws (a value `String()` cannot convert, such as `Object.create(null)`, or a throwing
 * getter, is described as such).
 */
function describe(value: unknown): string {
  try {
    return value instanceof Error ? String(value.message) : String(value);
  } catch {
    return 'a value that cannot be converted to a string';
  }
}

function refusal(err: unknown, crashType: string, handler: string): HandlerRefusal {
  try {
    if (HandlerError.is(err)) {
      return { status: 403, error: { errorType: err.unauthorized ? 'Unauthorized' : 'UnauthorizedException', message: describe(err.message) } };
    }
  } catch {
    // A value whose properties cannot be read (e.g. a revoked Proxy) is a crash like any other.
  }
  return { status: 500, error: { errorType: crashType, message: scrubSecrets(`${handler} handler failed: ${describe(err)}`) } };
}

function broken(message: string): HandlerRefusal {
  return { status: 500, error: { errorType: 'MessageProcessingError', message } };
}
