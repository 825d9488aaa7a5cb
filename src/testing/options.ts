import { randomInt } from 'node:crypto';
import {
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_INTERVAL_MS,
  MAX_CONNECTION_AGE_MS,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  MAX_WS_PUBLISH_PER_SECOND,
} from '../protocol/limits';
import { parseChannel } from '../protocol/channel';
import { ValidationError } from '../errors';
import type { AuthMode, EventApiOptions, IamVerifier, NamespaceConfig, TokenValidator } from './types';

/**
 * A namespace with its effective auth modes (the API defaults filled in).
 *
 * @example
 * ```ts
 * import type { ResolvedNamespace } from './options';
 * const ns: ResolvedNamespace = { name: 'default', publishAuthModes: ['API_KEY'], subscribeAuthModes: ['API_KEY'], config: { name: 'default' } };
 * ```
 */
export interface ResolvedNamespace {
  readonly name: string;
  readonly publishAuthModes: readonly AuthMode[];
  readonly subscribeAuthModes: readonly AuthMode[];
  readonly config: NamespaceConfig;
}

/**
 * {@link EventApiOptions} with every default applied, as the emulator uses them.
 *
 * @example
 * ```ts
 * import { resolveOptions } from './options';
 * const config = resolveOptions({ namespaces: ['default', 'chat'] });
 * ```
 */
export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly apiKeys: readonly string[];
  readonly namespaces: ReadonlyMap<string, ResolvedNamespace>;
  readonly connectionTimeoutMs: number;
  readonly keepAliveIntervalMs: number;
  readonly tokenValidators: { readonly [M in TokenMode]?: TokenValidator };
  readonly iam?: IamVerifier;
  readonly configuredModes: readonly AuthMode[];
  readonly connectionAuthModes: readonly AuthMode[];
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly strictHost: boolean;
  readonly maxSubscriptionsPerConnection: number;
  readonly publishRateLimit: number | false;
  readonly maxConnectionAgeMs: number;
}

/**
 * The auth modes that are decided by a token validator callback.
 *
 * @example
 * ```ts
 * import type { TokenMode } from './options';
 * const m: TokenMode = 'AWS_LAMBDA';
 * ```
 */
export type TokenMode = 'AWS_LAMBDA' | 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT';

/**
 * Token modes in the order the emulator tries their validators.
 *
 * @example
 * ```ts
 * import { TOKEN_MODES } from './options';
 * TOKEN_MODES[0]; // 'AWS_LAMBDA'
 * ```
 */
export const TOKEN_MODES: readonly TokenMode[] = ['AWS_LAMBDA', 'AMAZON_COGNITO_USER_POOLS', 'OPENID_CONNECT'];

const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random API key in the service's shape: `da2-` followed by 26 lowercase alphanumerics.
 *
 * @example
 * ```ts
 * import { randomApiKey } from './options';
 * randomApiKey(); // 'da2-k3j…'
 * ```
 */
export function randomApiKey(): string {
  let key = 'da2-';
  for (let i = 0; i < 26; i++) key += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return key;
}

/**
 * Applies the defaults of protocol reference §10 and checks the options. Throws
 * {@link ValidationError} (`INVALID_CONFIG`) on a bad namespace name, a duplicated namespace, or a
 * `keepAliveIntervalMs`/`maxConnectionAgeMs` that is not a positive number (`Infinity`, or anything
 * above 2^31-1 ms, means "never").
 *
 * @example
 * ```ts
 * import { resolveOptions } from './options';
 * resolveOptions({}).apiKeys.length; // 1
 * ```
 */
export function resolveOptions(options: EventApiOptions = {}): ResolvedOptions {
  const apiKeys = options.apiKeys ?? [randomApiKey()];
  const authorizers = options.authorizers ?? {};
  const tokenValidators: { -readonly [M in TokenMode]?: TokenValidator } = {};
  if (authorizers.lambda) tokenValidators.AWS_LAMBDA = authorizers.lambda;
  if (authorizers.cognito) tokenValidators.AMAZON_COGNITO_USER_POOLS = authorizers.cognito;
  if (authorizers.oidc) tokenValidators.OPENID_CONNECT = authorizers.oidc;

  const configuredModes: AuthMode[] = [];
  if (apiKeys.length > 0) configuredModes.push('API_KEY');
  for (const mode of TOKEN_MODES) if (tokenValidators[mode]) configuredModes.push(mode);
  if (authorizers.iam) configuredModes.push('AWS_IAM');

  const defaultPublish = options.defaultPublishAuthModes ?? configuredModes;
  const defaultSubscribe = options.defaultSubscribeAuthModes ?? configuredModes;
  const namespaces = new Map<string, ResolvedNamespace>();
  for (const entry of options.namespaces ?? ['default']) {
    const config: NamespaceConfig = typeof entry === 'string' ? { name: entry } : entry;
    const check = parseChannel(config.name);
    if (!check.ok || check.channel.segments.length !== 1 || check.channel.namespace !== config.name) {
      throw new ValidationError('INVALID_CONFIG', `namespace name "${config.name}" is invalid: use 1-50 letters, digits and "-"`);
    }
    if (namespaces.has(config.name)) throw new ValidationError('INVALID_CONFIG', `namespace "${config.name}" is configured twice`);
    namespaces.set(config.name, {
      name: config.name,
      publishAuthModes: config.publishAuthModes ?? defaultPublish,
      subscribeAuthModes: config.subscribeAuthModes ?? defaultSubscribe,
      config,
    });
  }

  const resolved: ResolvedOptions = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    apiKeys,
    namespaces,
    connectionTimeoutMs: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? DEFAULT_KEEP_ALIVE_INTERVAL_MS,
    tokenValidators,
    configuredModes,
    connectionAuthModes: options.connectionAuthModes ?? configuredModes,
    strictHost: options.strictHost ?? false,
    maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection ?? MAX_SUBSCRIPTIONS_PER_CONNECTION,
    publishRateLimit: options.publishRateLimit ?? MAX_WS_PUBLISH_PER_SECOND,
    maxConnectionAgeMs: options.maxConnectionAgeMs ?? MAX_CONNECTION_AGE_MS,
    ...(authorizers.iam ? { iam: authorizers.iam } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  };
  // Advertised in connection_ack as a JSON number: Infinity or NaN would be sent as null.
  const ack = resolved.connectionTimeoutMs;
  if (typeof ack !== 'number' || !(ack > 0) || !Number.isFinite(ack)) {
    throw new ValidationError('INVALID_CONFIG', `connectionTimeoutMs must be a finite number of milliseconds above 0, got ${String(ack)}`);
  }
  checkPositiveMs('keepAliveIntervalMs', resolved.keepAliveIntervalMs);
  checkPositiveMs('maxConnectionAgeMs', resolved.maxConnectionAgeMs);
  return resolved;
}

/**
 * A timer option must be a number of milliseconds above 0; anything above `MAX_TIMER_MS` (such as
 * `Infinity`) means "never" (see `TimerSet`). `NaN`, 0 and negative values are refused: Node would
 * run such a timer after 1 ms.
 */
function checkPositiveMs(name: string, value: unknown): void {
  if (typeof value !== 'number' || !(value > 0)) {
    throw new ValidationError('INVALID_CONFIG', `${name} must be a positive number of milliseconds (Infinity: never), got ${String(value)}`);
  }
}
