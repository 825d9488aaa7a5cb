import { clip, ValidationError } from '../errors';
import { MAX_CHANNEL_SEGMENTS, MAX_SEGMENT_LENGTH } from './limits';

/**
 * A channel path that passed the grammar of protocol reference §6.2/§6.3, normalised to the
 * `/ns/a/b` form (leading slash, no trailing slash).
 *
 * @example
 * ```ts
 * import { parseChannel } from 'appsync-events-rx/protocol';
 * const r = parseChannel('default/chat/');
 * const namespace = r.ok ? r.channel.namespace : undefined; // 'default' (path '/default/chat')
 * ```
 */
export interface ChannelPath {
  /** Normalised path: `/` + segments joined by `/` (a wildcard keeps its final `*`). */
  readonly path: string;
  /** The segments, `*` included when `wildcard` is true. */
  readonly segments: readonly string[];
  /** First segment: the channel namespace. */
  readonly namespace: string;
  /** True when the last segment is `*` (subscribe only). */
  readonly wildcard: boolean;
}

/**
 * Result of {@link parseChannel}: the normalised channel, or a human-readable reason.
 *
 * @example
 * ```ts
 * import { parseChannel } from 'appsync-events-rx/protocol';
 * const r = parseChannel('/default/a_b');
 * const why = r.ok ? undefined : r.reason;
 * ```
 */
export type ChannelCheck = { readonly ok: true; readonly channel: ChannelPath } | { readonly ok: false; readonly reason: string };

const SEGMENT = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/**
 * Options of {@link parseChannel}.
 *
 * @example
 * ```ts
 * import { parseChannel } from 'appsync-events-rx/protocol';
 * parseChannel('/default/*', { allowWildcard: true });
 * ```
 */
export interface ParseChannelOptions {
  /** Accept a trailing `/*` segment (subscriptions only). @default false */
  readonly allowWildcard?: boolean;
}

/**
 * Checks a channel against the Event API grammar: 1–5 segments (namespace and a trailing `*`
 * included) of `[A-Za-z0-9-]`, 1–50 characters, not starting or ending with `-`; optional leading
 * and trailing `/`; a final `*` segment only when `allowWildcard` is set. Never throws.
 *
 * Wildcards: only a whole final segment is accepted (`/ns/*`); `*` counts toward the segment
 * limit, and `/*` alone is refused because the first segment must name a namespace. Those choices
 * are the protocol reference's suggestions for points the AWS documentation leaves open [UNK].
 *
 * @example
 * ```ts
 * import { parseChannel } from 'appsync-events-rx/protocol';
 * parseChannel('/default/chat').ok; // true
 * parseChannel('/default/*').ok; // false: wildcards need { allowWildcard: true }
 * ```
 */
export function parseChannel(channel: unknown, options: ParseChannelOptions = {}): ChannelCheck {
  if (typeof channel !== 'string') return { ok: false, reason: `channel must be a string, got ${typeof channel}` };
  // One leading and one trailing `/` are optional.
  const body = channel.replace(/^\/|\/$/g, '');
  const segments = body.split('/');
  const count = segments.length;
  const wildcard = count > 1 && segments[count - 1] === '*';
  // The first segment that breaks the grammar (the final `*` of a wildcard excepted).
  const invalid = segments.find(
    (segment, index) => (segment.length > MAX_SEGMENT_LENGTH || !SEGMENT.test(segment)) && !(wildcard && index === count - 1),
  );
  const problem = !body
    ? 'has no segments'
    : count > MAX_CHANNEL_SEGMENTS
      ? `has ${count} segments (max ${MAX_CHANNEL_SEGMENTS})`
      : wildcard && !options.allowWildcard
        ? 'has a wildcard (subscribe only)'
        : invalid === undefined
          ? ''
          : !invalid
            ? 'has an empty segment'
            : invalid.length > MAX_SEGMENT_LENGTH
              ? `has a segment of ${invalid.length} characters (max ${MAX_SEGMENT_LENGTH})`
              : invalid.includes('*')
                ? 'has a "*" that is not a whole last segment after the namespace'
                : // At most MAX_SEGMENT_LENGTH characters here: quoted whole.
                  `has an invalid segment "${invalid}" (letters, digits and inner "-" only)`;
  return problem
    ? { ok: false, reason: `channel "${clip(channel)}" ${problem}` }
    : { ok: true, channel: { path: '/' + body, segments, namespace: segments[0] as string, wildcard } };
}

/**
 * {@link parseChannel} for callers that throw: the normalised channel, or a {@link ValidationError}
 * carrying the reason — `WILDCARD_NOT_ALLOWED` when a wildcard is the only fault and
 * `allowWildcard` is off (publishing), else `INVALID_CHANNEL`. (Internal: the client's publish and
 * subscribe paths.)
 *
 * @example
 * ```ts
 * requireChannel('default/a/', { allowWildcard: true }).path; // '/default/a'
 * ```
 */
export function requireChannel(channel: unknown, options: ParseChannelOptions = {}): ChannelPath {
  const check = parseChannel(channel, options);
  if (check.ok) return check.channel;
  // Re-parsed on this error path only, to tell a refused wildcard from an invalid channel.
  const wildcardOnly = !options.allowWildcard && parseChannel(channel, { allowWildcard: true }).ok;
  throw new ValidationError(wildcardOnly ? 'WILDCARD_NOT_ALLOWED' : 'INVALID_CHANNEL', check.reason);
}

/**
 * Whether an event published on `published` reaches a subscription to `subscription`: exact paths
 * match themselves; `/ns/a/*` matches every channel strictly below `/ns/a`, at any depth (not
 * `/ns/a` itself — [UNK], the reference's suggestion).
 *
 * @example
 * ```ts
 * import { parseChannel } from 'appsync-events-rx/protocol';
 * import { channelMatches } from 'appsync-events-rx/testing';
 * const sub = parseChannel('/default/*', { allowWildcard: true });
 * const pub = parseChannel('/default/a/b');
 * if (sub.ok && pub.ok) channelMatches(sub.channel, pub.channel); // true
 * ```
 */
export function channelMatches(subscription: ChannelPath, published: ChannelPath): boolean {
  if (!subscription.wildcard) return subscription.path === published.path;
  const prefix = subscription.segments.length - 1;
  if (published.segments.length <= prefix) return false;
  for (let i = 0; i < prefix; i++) {
    if (subscription.segments[i] !== published.segments[i]) return false;
  }
  return true;
}
