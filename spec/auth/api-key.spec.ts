import { apiKeyAuth, hostOnlyAuthorization } from '../../src/auth/api-key';
import type { AuthProvider } from '../../src/auth/types';
import { ValidationError } from '../../src/errors';
import { HOST, connectRequest, publishRequest, subscribeRequest } from './helpers';

describe('apiKeyAuth', () => {
  const KEY = 'da2-abcdefghijklmnopqrstuvwxyz';

  it('answers { host, x-api-key } for every kind of request, synchronously', () => {
    const auth = apiKeyAuth(KEY);
    for (const request of [connectRequest(), subscribeRequest(), publishRequest()]) {
      expect(auth(request)).toEqual({ host: HOST, 'x-api-key': KEY });
    }
  });

  it('gives the same frozen object for every request to a host, and a new one for another host', () => {
    const auth = apiKeyAuth(KEY);
    const first = auth(connectRequest());
    expect(Object.isFrozen(first)).toBe(true);
    expect(auth(publishRequest())).toBe(first);
    const other = auth(connectRequest('other.example.com', 'https://other.example.com/event'));
    expect(other).toEqual({ host: 'other.example.com', 'x-api-key': KEY });
    expect(other).not.toBe(first);
  });

  it('is known to depend on the host only (its answer can be reused); other providers are not', () => {
    const auth = apiKeyAuth(KEY);
    expect(hostOnlyAuthorization(auth, HOST)).toBe(auth(connectRequest()));
    const custom: AuthProvider = ({ host }) => ({ host, 'x-api-key': KEY });
    expect(hostOnlyAuthorization(custom, HOST)).toBeUndefined();
    // A wrapper may do anything per request: it is called every time.
    const wrapped: AuthProvider = (request) => auth(request);
    expect(hostOnlyAuthorization(wrapped, HOST)).toBeUndefined();
  });

  it.each([[''], [undefined], [42]])('refuses %p as a key', (key) => {
    expect(() => apiKeyAuth(key as unknown as string)).toThrow(ValidationError);
  });
});
