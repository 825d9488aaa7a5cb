/**
 * Header names are case-insensitive (protocol reference §4.2). The HTTP publisher merged its default
 * `content-type`, the config's `headers` and the authorization object case-sensitively, so an auth
 * object that spelt a header `Content-Type` was sent with both values, which fetch joins into
 * `application/json, application/json; charset=UTF-8`: a SigV4 signature over the auth object's
 * value no longer matched. The same provider works over WebSocket. (Found by a review, 29 Nov 2026;
 * each test failed before the fix.)
 */
import { firstValueFrom, from, map } from 'rxjs';
import { apiKeyAuth, createEventsClient, type AuthProvider, type EventsClient } from '../../src';
import type { Authorization } from '../../src/protocol/messages';
import { createHttpPublisher, type FetchLike } from '../../src/http';
import { iamAuth, type IamCredentials } from '../../src/iam';
import { startEventApi, type EventApi } from '../../src/testing';
import { createIamVerifier } from '../../src/testing/sigv4-verifier';

const CREDENTIALS: IamCredentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
const OK = JSON.stringify({ successful: [{ index: 0 }], failed: [] });

/** iamAuth, with the header names of its answer written `Content-Type`, `X-Amz-Date`, … (same values). */
function titleCased(provider: AuthProvider): AuthProvider {
  const title = (name: string): string => name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
  return (request) =>
    from(provider(request) as PromiseLike<Authorization>).pipe(map((auth) => Object.fromEntries(Object.entries(auth).map(([k, v]) => [title(k), v])) as Authorization));
}

describe('HTTP publish: header names are merged case-insensitively', () => {
  let api: EventApi | undefined;
  let client: EventsClient | undefined;
  afterEach(async () => {
    client?.close();
    client = undefined;
    await api?.close();
    api = undefined;
  });

  it('an IAM auth object with `Content-Type` (not lower-case) is accepted over HTTP as it is over WebSocket', async () => {
    api = await startEventApi({ authorizers: { iam: createIamVerifier({ credentials: [CREDENTIALS], region: 'eu-west-1' }) } });
    const auth = titleCased(iamAuth({ region: 'eu-west-1', credentials: CREDENTIALS }));

    // Control: the very same provider works over WebSocket.
    client = createEventsClient({ ...api.clientConfig, auth, lingerMs: 0 });
    expect(await firstValueFrom(client.publish('/default/a', [1]))).toEqual({ successful: [0], failed: [] });

    // Failed before the fix: 403 BadRequestException "The request signature we calculated does not match…".
    const http = await firstValueFrom(createHttpPublisher({ ...api.clientConfig, auth }).publish('/default/a', [1])).catch((e: unknown) => e);
    expect(http).toEqual({ successful: [0], failed: [] });
  });

  it('sends exactly one content-type: the auth object\'s value replaces the default whatever its key case', async () => {
    const seen: Record<string, string>[] = [];
    const fetch: FetchLike = async (_url, init) => (seen.push(init.headers), { status: 200, text: async () => OK });
    const auth: AuthProvider = ({ host }) => ({ host, 'Content-Type': 'application/json; charset=UTF-8', 'x-api-key': 'da2-aaaaaaaaaaaaaaaaaaaaaaaaaa' });
    await firstValueFrom(createHttpPublisher({ httpEndpoint: 'http://127.0.0.1:1', auth, fetch }).publish('/default/a', [1]));
    expect(new Headers(seen[0]).get('content-type')).toBe('application/json; charset=UTF-8');
  });

  it('the config `headers` and the auth object do not both send a header that differs only in case', async () => {
    const seen: Record<string, string>[] = [];
    const fetch: FetchLike = async (_url, init) => (seen.push(init.headers), { status: 200, text: async () => OK });
    const publisher = createHttpPublisher({ httpEndpoint: 'http://127.0.0.1:1', auth: apiKeyAuth('da2-newnewnewnewnewnewnewnewne'), headers: { 'X-Api-Key': 'da2-oldoldoldoldoldoldoldoldol' }, fetch });
    await firstValueFrom(publisher.publish('/default/a', [1]));
    // As over WebSocket, the provider's field wins over the config's extra header.
    expect(new Headers(seen[0]).get('x-api-key')).toBe('da2-newnewnewnewnewnewnewnewne');
  });
});
