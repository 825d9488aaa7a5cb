/**
 * IAM end to end: the real client signs with iamAuth, the real emulator verifies with
 * createIamVerifier. Proves that the bodies the client signs (connect `{}`, subscribe, WS publish,
 * HTTP publish) are the ones the emulator verifies, and that a wrong secret is refused.
 */
import { firstValueFrom, take, toArray } from 'rxjs';
import { createEventsClient, type EventsClient } from '../../src';
import { iamAuth, type IamCredentials } from '../../src/iam';
import { startEventApi, type EventApi } from '../../src/testing';
import { createIamVerifier } from '../../src/testing/sigv4-verifier';
import { publishHttp, remember } from '../helpers/http-publish';

const CREDENTIALS: IamCredentials = { accessKeyId: 'ASIALOCALEXAMPLE', secretAccessKey: 'local/secret+EXAMPLE', sessionToken: 'local-session-token' };

let api: EventApi;
let client: EventsClient | undefined;

beforeEach(async () => {
  api = await startEventApi({
    namespaces: ['default', { name: 'private', publishAuthModes: ['AWS_IAM'], subscribeAuthModes: ['AWS_IAM'] }],
    authorizers: { iam: createIamVerifier({ credentials: [CREDENTIALS], region: 'eu-west-1' }) },
  });
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await api.close();
});

it('connects, subscribes and publishes over WebSocket and HTTP with SigV4', async () => {
  let evaluations = 0;
  const auth = iamAuth({ region: 'eu-west-1', credentials: async () => (evaluations++, CREDENTIALS) });
  client = remember({ ...api.clientConfig, auth, lingerMs: 0 }, createEventsClient);

  const received = firstValueFrom(client.subscribe<{ text: string }>('/private/room').pipe(take(2), toArray()));
  await firstValueFrom(client.subscribed$);
  const ws = await firstValueFrom(client.publish('/private/room', [{ text: 'over <ws>' }]));
  const http = await firstValueFrom(publishHttp(client, '/private/room', [{ text: 'over http' }]));

  expect(ws.successful).toEqual([0]);
  expect(http.successful).toEqual([0]);
  expect(await received).toEqual([{ text: 'over <ws>' }, { text: 'over http' }]);
  // connect + subscribe + publish + HTTP publish: the provider ran for each.
  expect(evaluations).toBeGreaterThanOrEqual(4);
});

it('refuses an operation signed with the wrong secret', async () => {
  client = remember(
    { ...api.clientConfig, auth: iamAuth({ region: 'eu-west-1', credentials: { ...CREDENTIALS, secretAccessKey: 'wrong' } }), lingerMs: 0 },
    createEventsClient,
  );
  const error: unknown = await firstValueFrom(publishHttp(client, '/private/room', [1])).catch((e: unknown) => e);
  expect(error).toMatchObject({
    name: 'ServerError',
    operation: 'http-publish',
    status: 403,
    errors: [{ errorType: 'BadRequestException', message: 'The request signature we calculated does not match the signature you provided.' }],
  });
  expect(JSON.stringify(error)).not.toMatch(/Signature=|local-session-token|local\/secret/);
});

describe('WebSocket publish of a payload with "<", ">" or "&" (protocol reference §4.3)', () => {
  const payload = [{ html: '<b>Tom & Jerry</b>' }];

  it('is signed over the body as the service rebuilds it (HTML-safe escaping), and accepted', async () => {
    client = remember({ ...api.clientConfig, auth: iamAuth({ region: 'eu-west-1', credentials: CREDENTIALS }), lingerMs: 0 }, createEventsClient);
    const received = firstValueFrom(client.subscribe('/private/room'));
    await firstValueFrom(client.subscribed$);
    expect(await firstValueFrom(client.publish('/private/room', payload))).toEqual({ successful: [0], failed: [] });
    expect(await received).toEqual(payload[0]);
  });

  it('is refused by the emulator, as by AWS, when signed over the raw body', async () => {
    const signer = iamAuth({ region: 'eu-west-1', credentials: CREDENTIALS });
    // A client that signs the frame's body as is (what the service reports as a signature mismatch).
    const raw: typeof signer = (request) =>
      signer(request.kind === 'publish' ? { ...request, body: request.body.replace(/\\u00(3c|3e|26)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) } : request);
    client = remember({ ...api.clientConfig, auth: raw, lingerMs: 0 }, createEventsClient);
    const error: unknown = await firstValueFrom(client.publish('/private/room', payload)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ServerError', operation: 'publish', errors: [{ errorType: 'BadRequestException', message: expect.stringMatching(/signature we calculated does not match/) }] });
    // Without those characters the two bodies are the same, and the publish goes through.
    expect(await firstValueFrom(client.publish('/private/room', [{ text: 'plain' }]))).toEqual({ successful: [0], failed: [] });
  });
});
