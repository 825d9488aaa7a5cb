import { NEVER, Observable, of, throwError, type ObservableInput } from 'rxjs';
import { cognitoUserPoolsAuth, oidcAuth } from '../../src/auth/tokens';
import { lambdaAuth, type TokenSource } from '../../src/auth/lambda';
import { ValidationError } from '../../src/errors';
import type { AuthProvider, AuthRequest } from '../../src/auth/types';
import { HOST, connectRequest, publishRequest, resolveAuth, subscribeRequest } from './helpers';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';

const MODES: ReadonlyArray<readonly [string, (token: TokenSource) => AuthProvider]> = [
  ['cognitoUserPoolsAuth', cognitoUserPoolsAuth],
  ['oidcAuth', oidcAuth],
  ['lambdaAuth', lambdaAuth],
];

describe.each(MODES)('%s', (name, mode) => {
  it('puts a fixed token in Authorization next to host', async () => {
    expect(await resolveAuth(mode(JWT), connectRequest())).toEqual({ host: HOST, Authorization: JWT });
  });

  it.each([
    ['synchronously', (): string => JWT],
    ['as a Promise', (): Promise<string> => Promise.resolve(JWT)],
    ['as an Observable', (): ObservableInput<string> => of(JWT)],
  ])('accepts a getter answering %s', async (_how, getter) => {
    expect(await resolveAuth(mode(getter), subscribeRequest())).toEqual({ host: HOST, Authorization: JWT });
  });

  it('calls the getter for every request, with that request, so refreshed tokens are used', async () => {
    const seen: AuthRequest[] = [];
    let n = 0;
    const auth = mode((request) => {
      seen.push(request);
      return `token-${++n}`;
    });
    const a = await resolveAuth(auth, connectRequest());
    const b = await resolveAuth(auth, subscribeRequest());
    const c = await resolveAuth(auth, publishRequest());
    expect([a['Authorization'], b['Authorization'], c['Authorization']]).toEqual(['token-1', 'token-2', 'token-3']);
    expect(seen.map((r) => r.kind)).toEqual(['connect', 'subscribe', 'publish']);
  });

  it('does not call the getter until the result is subscribed', () => {
    const getter = jest.fn(() => JWT);
    const result = mode(getter)(connectRequest());
    expect(getter).not.toHaveBeenCalled();
    expect(result).toBeInstanceOf(Observable);
  });

  it('throws ValidationError(INVALID_CONFIG) naming the mode for an empty fixed token', () => {
    expect(() => mode('')).toThrow(ValidationError);
    expect(() => mode('')).toThrow(name);
  });

  it('throws ValidationError for something that is neither a token nor a getter', () => {
    expect(() => mode(42 as unknown as TokenSource)).toThrow(ValidationError);
  });

  it.each([
    ['synchronously', (): string => ''],
    ['as a Promise', (): Promise<string> => Promise.resolve('')],
    ['as an Observable', (): ObservableInput<string> => of('')],
  ])('fails the request with ValidationError when the getter yields an empty token %s', async (_how, getter) => {
    const error: unknown = await resolveAuth(mode(getter), connectRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ reason: 'INVALID_CONFIG', code: 'VALIDATION' });
    expect((error as Error).message).toContain(name);
  });

  it("passes the getter's own failure through", async () => {
    const failure = new Error('session expired');
    await expect(resolveAuth(mode(() => Promise.reject(failure)), connectRequest())).rejects.toBe(failure);
    await expect(resolveAuth(mode(() => throwError(() => failure)), connectRequest())).rejects.toBe(failure);
  });

  it('leaves an Observable getter that never answers pending (the caller owns the timeout)', () => {
    const values: unknown[] = [];
    const sub = (mode(() => NEVER)(connectRequest()) as Observable<unknown>).subscribe((v) => values.push(v));
    expect(values).toEqual([]);
    sub.unsubscribe();
  });
});

// A synchronous getter answering `undefined` (nobody signed in) is outside the TokenSource type but
// common in JavaScript; the JWT modes turn it into the same ValidationError as an empty token.
describe.each(MODES.slice(0, 2))('%s with a getter answering undefined or null', (name, mode) => {
  it.each([undefined, null])('fails the request with ValidationError for %s', async (value) => {
    const error: unknown = await resolveAuth(mode(() => value as unknown as string), connectRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(name);
  });

  it('also for a Promise of undefined', async () => {
    const error: unknown = await resolveAuth(mode(() => Promise.resolve(undefined as unknown as string)), connectRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
  });
});
