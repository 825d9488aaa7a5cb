import { firstValueFrom, from, isObservable, type ObservableInput } from 'rxjs';
import type { AuthProvider, AuthRequest } from '../../src/auth/types';
import type { Authorization } from '../../src/protocol/messages';

/** Resolves whatever an AuthProvider answers (value, Promise or Observable) to its first value. */
export function resolveAuth(provider: AuthProvider, request: AuthRequest): Promise<Authorization> {
  const out = provider(request);
  if (isObservable(out) || isPromiseLike(out) || Array.isArray(out)) return firstValueFrom(from(out as ObservableInput<Authorization>));
  return Promise.resolve(out as Authorization);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export const HOST = 'abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-1.amazonaws.com';
export const HTTP_URL = `https://${HOST}/event`;
export const CHANNEL = '/default/chat';
export const SUBSCRIBE_BODY = JSON.stringify({ channel: CHANNEL });
export const PUBLISH_EVENTS = [JSON.stringify({ text: 'hi </b> ü' }), '42'];
export const PUBLISH_BODY = JSON.stringify({ channel: CHANNEL, events: PUBLISH_EVENTS });

export const connectRequest = (host = HOST, httpUrl = HTTP_URL): AuthRequest => ({ kind: 'connect', host, httpUrl, body: '{}' });
export const subscribeRequest = (): AuthRequest => ({ kind: 'subscribe', host: HOST, httpUrl: HTTP_URL, channel: CHANNEL, body: SUBSCRIBE_BODY });
export const publishRequest = (): AuthRequest => ({ kind: 'publish', host: HOST, httpUrl: HTTP_URL, channel: CHANNEL, body: PUBLISH_BODY });

// AWS's documented example credentials (not real).
export const ACCESS_KEY_ID = 'AKIDEXAMPLE';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
export const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN==';
export const SIGNING_DATE = new Date('2025-03-14T15:09:26.535Z');
export const AMZ_DATE = '20250314T150926Z';
export const REGION = 'eu-west-1';

/** The §4.3 constant headers, in canonical order. */
export const CONSTANT_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['accept', 'application/json, text/javascript'],
  ['content-encoding', 'amz-1.0'],
  ['content-type', 'application/json; charset=UTF-8'],
];
