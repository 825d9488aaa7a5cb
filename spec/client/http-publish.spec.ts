/** HTTP publish failure paths with a stubbed fetch (no network). */
import { firstValueFrom } from 'rxjs';
import { ConnectionError, apiKeyAuth, createEventsClient, type FetchLike } from '../../src';

function clientWith(fetch: FetchLike) {
  return createEventsClient({ httpEndpoint: 'http://127.0.0.1:1/event', auth: apiKeyAuth('da2-stubstubstubstubstubstubst'), fetch });
}

it('fails with ConnectionError, not an unhandled rejection, when the response body cannot be read', async () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    const client = clientWith(async () => ({ status: 200, text: () => Promise.reject(new Error('socket hang up')) }));
    const error = await firstValueFrom(client.publishHttp('/default/a', [1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('socket hang up');
    await new Promise<void>((resolve) => setImmediate(resolve)); // let Node report any unhandled rejection
    expect(rejections).toEqual([]);
    client.close();
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
  const result = await firstValueFrom(client.publishHttp('default/a', [{ n: 1 }]));
  expect(result).toEqual({ successful: [0], failed: [] });
  expect(calls).toEqual([
    {
      url: 'http://127.0.0.1:1/event',
      headers: { 'content-type': 'application/json', 'x-api-key': 'da2-stubstubstubstubstubstubst' },
      body: '{"channel":"/default/a","events":["{\\"n\\":1}"]}',
    },
  ]);
  client.close();
});

it('fails with ConnectionError when fetch throws synchronously', async () => {
  const client = clientWith(() => {
    throw new TypeError('invalid header value');
  });
  const error = await firstValueFrom(client.publishHttp('/default/a', [1])).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectionError);
  expect((error as Error).message).toContain('invalid header value');
  client.close();
});
