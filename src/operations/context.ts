import type { SchedulerLike, Subject } from 'rxjs';
import { hostOnlyAuthorization } from '../auth/api-key';
import type { AuthProvider, AuthRequest, AuthRequestKind } from '../auth/types';
import type { Connection } from '../connection/connection';
import { IdExistsError, ValidationError, type AppSyncEventsError } from '../errors';
import type { ResolvedEndpoints } from '../protocol/endpoints';
import type { Authorization } from '../protocol/messages';
import { checkOperationId } from '../protocol/validate';
import { Deadlines } from './deadlines';
import type { RouteHandler, Router } from './router';

/**
 * What every operation needs from the client: the connection, the router, time, ids and auth.
 *
 * @example
 * ```ts
 * const ctx = new OperationContext({ connection, router, scheduler, endpoints, auth, headers: {}, requestTimeoutMs: 15000, generateId: nanoid, protocolErrors });
 * ```
 */
export class OperationContext {
  readonly connection: Connection;
  readonly router: Router;
  readonly scheduler: SchedulerLike;
  readonly endpoints: ResolvedEndpoints;
  readonly auth: AuthProvider;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestTimeoutMs: number;
  readonly protocolErrors: Subject<AppSyncEventsError>;
  /** Request timeouts: one scheduler action for all in-flight requests, not one per request. */
  readonly deadlines: Deadlines;
  private readonly generateId: () => string;
  private readonly checkIds: boolean;
  /** Whether `headers` has any field (when not, an authorization goes out as the provider made it). */
  private readonly hasHeaders: boolean;
  /** Operations holding the connection (subscriptions, publishes in flight), and the one use they hold together. */
  private uses = 0;
  private releaseUses: (() => void) | undefined;
  /** The provider last asked for in {@link fixedAuthorization}, and the answer. */
  private fixedFor: AuthProvider | undefined;
  private fixed: Authorization | undefined;

  constructor(init: {
    connection: Connection;
    router: Router;
    scheduler: SchedulerLike;
    endpoints: ResolvedEndpoints;
    auth: AuthProvider;
    headers: Readonly<Record<string, string>>;
    requestTimeoutMs: number;
    generateId: () => string;
    /** Check each generated id against the id grammar. @default true */
    checkIds?: boolean;
    protocolErrors: Subject<AppSyncEventsError>;
  }) {
    this.connection = init.connection;
    this.router = init.router;
    this.scheduler = init.scheduler;
    this.endpoints = init.endpoints;
    this.auth = init.auth;
    this.headers = init.headers;
    this.requestTimeoutMs = init.requestTimeoutMs;
    this.generateId = init.generateId;
    this.checkIds = init.checkIds ?? true;
    this.protocolErrors = init.protocolErrors;
    this.deadlines = new Deadlines(init.scheduler);
    this.hasHeaders = Object.keys(init.headers).length > 0;
  }

  /** The authorization object of an operation frame: the client's extra headers, then the provider's fields. */
  withHeaders(auth: Authorization): Authorization {
    // No copy when there is nothing to merge: the frame is only serialised, never changed.
    return this.hasHeaders ? { ...this.headers, ...auth } : auth;
  }

  /**
   * The merged authorization (see {@link withHeaders}) for every operation authorised by
   * `provider`, when its answer depends only on the host (an `apiKeyAuth` provider): computed
   * once, frozen and reused, so a publish neither builds an {@link AuthRequest} nor calls the
   * provider. `undefined` for any other provider, which must be called per request.
   */
  fixedAuthorization(provider: AuthProvider): Authorization | undefined {
    if (provider !== this.fixedFor) {
      const auth = hostOnlyAuthorization(provider, this.endpoints.host);
      this.fixedFor = provider;
      this.fixed = auth === undefined ? undefined : Object.freeze(this.withHeaders(auth));
    }
    return this.fixed;
  }

  /**
   * An operation starts using the connection (a live channel subscription, a publish in flight):
   * the connection stays open until {@link release}. All operations hold one `connection.retain()`
   * together (taken by the first, released by the last), which is what one retain each amounts
   * to, without a release closure per operation (heap per idle subscription, CPU per publish).
   */
  acquire(): void {
    if (this.uses++ === 0) this.releaseUses = this.connection.retain();
  }

  /** An operation stopped using the connection (call exactly once per {@link acquire}). */
  release(): void {
    if (--this.uses === 0) {
      const release = this.releaseUses;
      this.releaseUses = undefined;
      release?.();
    }
  }

  /** A fresh operation id: valid per the id grammar and not in use (else a typed error is thrown). */
  newId(): string {
    const id = this.checkedId();
    if (this.router.has(id)) throw new IdExistsError(id);
    return id;
  }

  /** Registers `handler` with the router under a fresh id ({@link newId}'s checks, one map lookup less) and returns the id. */
  register(handler: RouteHandler): string {
    const id = this.checkedId();
    if (!this.router.register(id, handler)) throw new IdExistsError(id);
    return id;
  }

  private checkedId(): string {
    if (!this.checkIds) return this.generateId();
    let id: string;
    try {
      id = this.generateId();
    } catch (e) {
      const error = new ValidationError('INVALID_ID', `generateId threw${e instanceof Error ? ` ${e.name}` : ''}`);
      Object.defineProperty(error, 'cause', { value: e, enumerable: false, configurable: true });
      throw error;
    }
    // The built-in generator (nanoid: 21 characters of [A-Za-z0-9_-]) always fits the grammar; only
    // a user's generator is checked, keeping the regex off the per-request path.
    if (checkOperationId(id) !== undefined) {
      throw new ValidationError('INVALID_ID', 'generateId returned an id that is not 1-128 characters of [A-Za-z0-9_+-]');
    }
    return id;
  }

  /**
   * An {@link AuthRequest} whose `body` is computed only if the provider reads it (API keys and
   * tokens never do; SigV4 does), so the publish hot path does not serialise the events twice.
   */
  authRequest(kind: AuthRequestKind, channel: string, body: () => string): AuthRequest {
    let cached: string | undefined;
    const { host, httpUrl } = this.endpoints;
    return {
      kind,
      host,
      httpUrl,
      channel,
      get body(): string {
        if (cached === undefined) cached = body();
        return cached;
      },
    };
  }
}
