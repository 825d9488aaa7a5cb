import type { AppSyncEventsError } from '../errors';

/**
 * Where the connection stands. `connectionState$` replays the current value to late subscribers and
 * emits each transition once, in order:
 *
 * - `idle`: nothing opened yet (or closed after the last subscription, lazily).
 * - `connecting`: opening the socket and waiting for `connection_ack` (`attempt` counts from 1).
 * - `connected`: acknowledged; `connectionTimeoutMs` is the keep-alive deadline from the ack.
 * - `reconnecting`: the connection was lost and another attempt is scheduled after `delayMs`.
 * - `closed`: ended, by `close()` (no `error`) or by a terminal failure (`error`, typed).
 *
 * @example
 * ```ts
 * client.connectionState$.subscribe((s) => {
 *   if (s.status === 'closed' && s.error) console.error(s.error.code, s.error.message);
 * });
 * ```
 */
export type ConnectionState =
  | { readonly status: 'idle' }
  | { readonly status: 'connecting'; readonly attempt: number }
  | { readonly status: 'connected'; readonly connectionTimeoutMs: number }
  | { readonly status: 'reconnecting'; readonly attempt: number; readonly delayMs: number; readonly error: AppSyncEventsError }
  | { readonly status: 'closed'; readonly error?: AppSyncEventsError };

/**
 * The `status` values of {@link ConnectionState}.
 *
 * @example
 * ```ts
 * import type { ConnectionStatus } from 'appsync-events-rx';
 * const s: ConnectionStatus = 'connected';
 * ```
 */
export type ConnectionStatus = ConnectionState['status'];
