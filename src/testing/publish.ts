import { randomUUID } from 'node:crypto';
import type { ChannelPath } from '../protocol/channel';
import type { MessageError, ReceiveMessageEventID, ReceiveMessageFailedEvent } from '../protocol/messages';
import { checkEventSize } from '../protocol/validate';
import { handlerContext, runOnPublish } from './handlers';
import type { EmulatorHub } from './hub';
import type { ResolvedNamespace } from './options';

/**
 * The error reported when the emulator itself fails while processing an operation (a bug, not a
 * refusal): HTTP 500 for HTTP publish, `subscribe_error` / `publish_error` over WebSocket. Carries
 * no detail, so it can never echo a request's credentials.
 *
 * @example
 * ```ts
 * import { INTERNAL_FAILURE } from './publish';
 * reply({ type: 'publish_error', id, errors: [INTERNAL_FAILURE] });
 * ```
 */
export const INTERNAL_FAILURE: MessageError = { errorType: 'InternalFailureException', message: 'The emulator failed to process the request' };

/**
 * Result of the shared publish pipeline: per-event outcomes, or a whole-request refusal (with the
 * HTTP status HTTP publish answers with).
 *
 * @example
 * ```ts
 * import type { PublishOutcome } from './publish';
 * const ok: PublishOutcome = { ok: true, successful: [{ identifier: 'u', index: 0 }], failed: [] };
 * ```
 */
export type PublishOutcome =
  | { readonly ok: true; readonly successful: readonly ReceiveMessageEventID[]; readonly failed: readonly ReceiveMessageFailedEvent[] }
  | { readonly ok: false; readonly status: number; readonly error: MessageError };

/**
 * The part of publishing shared by WebSocket publish, HTTP publish and the server-side
 * `api.publish`: give each event a server identifier (also the id handlers see), run `onPublish`,
 * check the size of every event as it will be broadcast, broadcast the survivors in order, and
 * report each event as successful or failed. The caller has already checked the channel,
 * namespace, credentials, event count and that every event is valid JSON.
 *
 * Without a handler, or when a handler returns a payload equal to the original, subscribers get
 * the original string byte for byte; a transformed payload is re-serialised with
 * `JSON.stringify`. Events a handler drops (returns `null` for, or leaves out, or all of them when
 * it returns `null`) are reported as successful — the reference's suggestion for an [UNK] point
 * (§5).
 *
 * @example
 * ```ts
 * import { runPublish } from './publish';
 * const outcome = await runPublish(hub, ns, channel, ['{"a":1}'], null, {});
 * ```
 */
export async function runPublish(
  hub: EmulatorHub,
  namespace: ResolvedNamespace,
  channel: ChannelPath,
  events: readonly string[],
  identity: Record<string, unknown> | null,
  headers: Readonly<Record<string, string>>,
): Promise<PublishOutcome> {
  const identifiers: string[] = events.map(() => randomUUID());
  const failed: ReceiveMessageFailedEvent[] = [];
  let outgoing: { index: number; encoded: string }[];

  if (!namespace.config.onPublish) {
    outgoing = events.map((encoded, index) => ({ index, encoded }));
  } else {
    const ctx = handlerContext(
      namespace,
      channel,
      'PUBLISH',
      events.map((e, i) => ({ id: identifiers[i] as string, payload: JSON.parse(e) as unknown })),
      identity,
      headers,
    );
    const result = await runOnPublish(namespace, ctx);
    if (!result.ok) return { ok: false, status: result.status, error: result.error };
    const indexById = new Map(identifiers.map((id, i) => [id, i]));
    outgoing = [];
    for (const entry of result.events) {
      if (entry === null) continue;
      const index = indexById.get(entry.id);
      // runOnPublish only lets through ids it was given, taken before the handler ran.
      if (index === undefined) continue;
      if (entry.error !== undefined) {
        // failed[].code for a handler-rejected event is [UNK]; we use the documented processing error type.
        failed.push({ identifier: entry.id, index, code: 'MessageProcessingError', message: entry.error });
        continue;
      }
      const encoded = encodeTransformed(entry.payload, events[index] as string);
      if (encoded === undefined) {
        failed.push({ identifier: entry.id, index, code: 'MessageProcessingError', message: 'onPublish returned a payload that is not JSON-serialisable' });
        continue;
      }
      outgoing.push({ index, encoded });
    }
  }

  const broadcast: string[] = [];
  for (const { index, encoded } of outgoing) {
    const tooLarge = checkEventSize(encoded);
    if (tooLarge) failed.push({ identifier: identifiers[index] as string, index, code: tooLarge.errorType, message: tooLarge.message });
    else broadcast.push(encoded);
  }
  hub.broadcast(channel, broadcast);

  const failedIndexes = new Set(failed.map((f) => f.index));
  const successful = identifiers.flatMap((identifier, index) => (failedIndexes.has(index) ? [] : [{ identifier, index }]));
  failed.sort((a, b) => a.index - b.index);
  return { ok: true, successful, failed };
}

function encodeTransformed(payload: unknown, original: string): string | undefined {
  let encoded: string | undefined;
  try {
    encoded = JSON.stringify(payload);
  } catch {
    return undefined;
  }
  if (encoded === undefined) return undefined;
  // Unchanged payload (even if the handler rebuilt the object): keep the publisher's exact string.
  return encoded === JSON.stringify(JSON.parse(original)) ? original : encoded;
}
