/** HTTP publish (`appsync-events-rx/http`) with a stubbed fetch (no network). */
import { firstValueFrom } from 'rxjs';
import { ConnectionError, ValidationError, apiKeyAuth, createEventsClient, type EventsClientConfig, type FetchLike } from '../../src';
import { createHttpPublisher } from '../../src/http';

function clientWith(fetch: FetchLike) {
  return createHttpPublisher({ httpEndpoint: 'http://127.0.0.1:1/event', auth: apiKeyAuth('da2-stubstubstubstubstubstubst'), fetch });
}

it('fails with ConnectionError, not an unhandled rejection, when the response body cannot be read', async () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    const client = clientWith(async () => ({ status: 200, text: () => Promise.reject(new Error('socket hang up')) }));
    const error = await firstValueFrom(client.publish('/default/a', [1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('socket hang up');
    await new Promise<void>((resolve) => setImmediate(resolve)); // let Node report any unhandled rejection
    expect(rejections).toEqual([]);
  } finally {
    process.off('unhandledRejection', onRejection);
  }
});

it('sends the API key as a header, never the host header, and maps the result by index', async () => {
  const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
  const client = clientWith(async (url, init) => {
    calls.push({ url, headers: init.headers, body: init.body });
    return { status: 200, text: async () => JSON.stringify({ successful: [{ identifier: 'x', index: 0 }], failed: [] }) };
  });
  const result = await firstValueFrom(client.publish('default/a', [{ n: 1 }]));
  expect(result).toEqual({ successful: [0], failed: [] });
  expect(calls).toEqual([
    {
      url: 'http://127.0.0.1:1/event',
      headers: { 'content-type': 'application/json', 'x-api-key': 'da2-stubstubstubstubstubstubst' },
      body: '{"channel":"/default/a","events":["{\\"n\\":1}"]}',
    },
  ]);
});

it('fails with ConnectionError when fetch throws synchronously', async () => {
  const client = clientWith(() => {
    throw new TypeError('invalid header value');
  });
  const error = await firstValueFrom(client.publish('/default/a', [1])).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectionError);
  expect((error as Error).message).toContain('invalid header value');
});

it('accepts the config object of createEventsClient as it is', async () => {
  const fetch: FetchLike = async () => ({ status: 200, text: async () => JSON.stringify({ successful: [{ index: 0 }], failed: [] }) });
  const config: EventsClientConfig = { httpEndpoint: 'http://127.0.0.1:1', auth: apiKeyAuth('da2-stubstubstubstubstubstubst'), lingerMs: 0, retry: false, fetch };
  const client = createEventsClient(config);
  expect(await firstValueFrom(createHttpPublisher(config).publish('/default/a', [1]))).toEqual({ successful: [0], failed: [] });
  client.close();
});

it.each([
  ['no config', undefined],
  ['no auth provider', { httpEndpoint: 'http://127.0.0.1:1' }],
  ['a realtime host as httpEndpoint', { httpEndpoint: 'abc.appsync-realtime-api.eu-west-1.amazonaws.com', auth: apiKeyAuth('k') }],
  ['a request timeout of 0', { httpEndpoint: 'http://127.0.0.1:1', auth: apiKeyAuth('k'), requestTimeoutMs: 0 }],
])('refuses %s with ValidationError(INVALID_CONFIG)', (_what, config) => {
  expect(() => createHttpPublisher(config as unknown as EventsClientConfig)).toThrow(expect.objectContaining({ reason: 'INVALID_CONFIG' }) as unknown as Error);
});

it('needs fetch: refuses to be created without a global fetch and without config.fetch', () => {
  const global = globalThis as { fetch?: unknown };
  const saved = global.fetch;
  delete global.fetch;
  try {
    expect(() => createHttpPublisher({ httpEndpoint: 'http://127.0.0.1:1', auth: apiKeyAuth('k') })).toThrow(ValidationError);
    expect(() => createHttpPublisher({ httpEndpoint: 'http://127.0.0.1:1', auth: apiKeyAuth('k') })).toThrow(/config\.fetch/);
  } finally {
    global.fetch = saved;
  }
});

it('validates before sending: nothing reaches fetch on bad input', async () => {
  const fetch = jest.fn<ReturnType<FetchLike>, Parameters<FetchLike>>();
  const publisher = clientWith(fetch);
  await expect(firstValueFrom(publisher.publish('/default/*', [1]))).rejects.toBeInstanceOf(ValidationError);
  await expect(firstValueFrom(publisher.publish('/default/a', []))).rejects.toBeInstanceOf(ValidationError);
  expect(fetch).not.toHaveBeenCalled();
});
