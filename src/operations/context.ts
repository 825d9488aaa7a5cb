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
  // The fields named like the constructor's `init` are copied from it (Object.assign).
  readonly connection!: Connection;
  readonly router!: Router;
  readonly scheduler!: SchedulerLike;
  readonly endpoints!: ResolvedEndpoints;
  readonly auth!: AuthProvider;
  readonly headers!: Readonly<Record<string, string>>;
  readonly requestTimeoutMs!: number;
  readonly protocolErrors!: Subject<AppSyncEventsError>;
  private readonly generateId!: () => string;
  private readonly checkIds?: boolean;
  /** Request timeouts: one scheduler action for all in-flight requests, not one per request. */
  readonly deadlines: Deadlines;
  /** Operations holding the connection (subscriptions, publishes in flight), and the one use they hold together. */
  private _uses = 0;
  private _releaseUses: (() => void) | undefined;
  /** The provider last asked for in {@link fixedAuthorization}, and the answer. */
  private _fixedFor: AuthProvider | undefined;
  private _fixed: Authorization | undefined;

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
    Object.assign(this, init);
    this.deadlines = new Deadlines(init.scheduler);
  }

  /** The authorization object of an operation frame: the client's extra headers, then the provider's fields. */
  withHeaders(auth: Authorization): Authorization {
    return { ...this.headers, ...auth };
  }

  /**
   * The merged authorization (see {@link withHeaders}) for every operation authorised by
   * `provider`, when its answer depends only on the host (an `apiKeyAuth` provider): computed
   * once, frozen and reused, so a publish neither builds an {@link AuthRequest} nor calls the
   * provider. `undefined` for any other provider, which must be called per request.
   */
  fixedAuthorization(provider: AuthProvider): Authorization | undefined {
    if (provider !== this._fixedFor) {
      const auth = hostOnlyAuthorization(provider, this.endpoints.host);
      this._fixedFor = provider;
      this._fixed = auth && Object.freeze(this.withHeaders(auth));
    }
    return this._fixed;
  }

  /**
   * An operation starts using the connection (a live channel subscription, a publish in flight):
   * the connection stays open until {@link release}. All operations hold one `connection.retain()`
   * together (taken by the first, released by the last), which is what one retain each amounts
   * to, without a release closure per operation (heap per idle subscription, CPU per publish).
   */
  acquire(): void {
    if (!this._uses++) this._releaseUses = this.connection.retain();
  }

  /** An operation stopped using the connection (call exactly once per {@link acquire}). */
  release(): void {
    if (!--this._uses) this._releaseUses!(); // set by the acquire that took the count to one
  }

  /**
   * A fresh operation id, not in use. A user's `generateId` is checked against the id grammar (the
   * built-in nanoid always fits it: the regex stays off the per-request path); one that throws or
   * returns a bad id fails the operation with a {@link ValidationError} (`INVALID_ID`).
   */
  newId(): string {
    let id: string;
    try {
      id = this.generateId();
    } catch (e) {
      const error = new ValidationError('INVALID_ID', `generateId threw${e instanceof Error ? ` ${e.name}` : ''}`);
      Object.defineProperty(error, 'cause', { value: e, configurable: true });
      throw error;
    }
    const violation = this.checkIds !== false && checkOperationId(id);
    if (violation) throw new ValidationError('INVALID_ID', `generateId: ${violation.message}`);
    if (this.router.has(id)) throw new IdExistsError(id);
    return id;
  }

  /** Registers `handler` with the router under a fresh id ({@link newId}) and returns the id. */
  register(handler: RouteHandler): string {
    const id = this.newId();
    this.router.set(id, handler);
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
        return (cached ??= body());
      },
    };
  }
}
