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
 * message); any other exception is reported as `SubscriptionProcessingError`.
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
 * Runs a namespace's `onPublish` and checks what it returned: an array whose entries are `null` or
 * events reusing the ids of `ctx.events` (§7.8). Without a handler the events pass through.
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
  let returned: unknown;
  try {
    returned = await handler(ctx);
  } catch (err) {
    return { ok: false, ...refusal(err, 'MessageProcessingError', 'onPublish') };
  }
  const ids = new Set(ctx.events.map((e) => e.id));
  if (!Array.isArray(returned)) return { ok: false, ...broken('onPublish must return an array of events') };
  for (const entry of returned as unknown[]) {
    if (entry === null) continue;
    if (typeof entry !== 'object' || typeof (entry as { id?: unknown }).id !== 'string') {
      return { ok: false, ...broken('onPublish returned an entry that is neither null nor an event with an id') };
    }
    if (!ids.has((entry as HandlerEvent).id)) return { ok: false, ...broken('onPublish returned an event with an id it was not given') };
  }
  return { ok: true, events: returned as (HandlerEvent | null)[] };
}

function refusal(err: unknown, crashType: string, handler: string): HandlerRefusal {
  if (HandlerError.is(err)) {
    return { status: 403, error: { errorType: err.unauthorized ? 'Unauthorized' : 'UnauthorizedException', message: err.message } };
  }
  const detail = err instanceof Error ? err.message : String(err);
  return { status: 500, error: { errorType: crashType, message: scrubSecrets(`${handler} handler failed: ${detail}`) } };
}

function broken(message: string): HandlerRefusal {
  return { status: 500, error: { errorType: 'MessageProcessingError', message } };
}
