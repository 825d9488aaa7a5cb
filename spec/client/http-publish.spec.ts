/** HTTP publish (`appsync-events-rx/http`) with a stubbed fetch (no network). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { firstValueFrom } from 'rxjs';
import { ConnectionError, ValidationError, apiKeyAuth, createEventsClient, lambdaAuth, type EventsClientConfig, type FetchLike } from '../../src';
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

describe('hardening', () => {
  const okBody = JSON.stringify({ successful: [{ index: 0 }], failed: [] });

  it('never puts a header value in the error when fetch quotes it (a token with a line break is an invalid header value)', async () => {
    // What undici throws for such a header (quoting the value), from a stub: Jest's realm hides the real one's message.
    const undiciLike: FetchLike = async (_url, init) => {
      for (const value of Object.values(init.headers)) if (/[\0\r\n]/.test(value.trim())) throw new TypeError(`Headers.append: "${value.trim()}" is an invalid header value.`);
      return { status: 200, text: async () => okBody };
    };
    const publisher = createHttpPublisher({ httpEndpoint: 'http://127.0.0.1:1', auth: lambdaAuth(() => 'opaque-SECRET-token\nline2 '), fetch: undiciLike });
    const error = await firstValueFrom(publisher.publish('/default/a', [1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toBe('HTTP publish to http://127.0.0.1:1/event failed: Headers.append: "[redacted]" is an invalid header value.');
    expect((error as Error).cause).toBeUndefined(); // the original still quotes the token
    expect(JSON.stringify(error) + String(error) + inspect(error)).not.toContain('SECRET');
  });

  it.each([
    ['a null entry in successful', '{"successful":[null],"failed":[]}'],
    ['a null entry in failed', '{"successful":[],"failed":[null]}'],
    ['an entry without a numeric index', '{"successful":[{"index":"0"}],"failed":[]}'],
    ['successful not a list', '{"successful":{},"failed":[]}'],
  ])('fails (does not hang or invent indices) on a 2xx answer with %s', async (_what, body) => {
    const publisher = clientWith(async () => ({ status: 200, text: async () => body }));
    const error = await firstValueFrom(publisher.publish('/default/a', [1])).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ServerError', operation: 'http-publish', status: 200, errors: [{ errorType: 'UnsupportedMessageFormat' }] });
  });

  it.each([
    ['an event missing', '{"successful":[{"index":0}],"failed":[]}'],
    ['an index out of range', '{"successful":[{"index":0},{"index":2}],"failed":[]}'],
    ['an index twice', '{"successful":[{"index":0}],"failed":[{"index":0}]}'],
  ])('fails with PublishOutcomeUnknownError when a 2xx answer has %s', async (_what, body) => {
    const publisher = clientWith(async () => ({ status: 200, text: async () => body }));
    const error = await firstValueFrom(publisher.publish('/default/a', [1, 2])).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PublishOutcomeUnknownError', indices: [0, 1], message: 'publish to /default/a: outcome unknown (malformed reply)', cause: { name: 'UnsupportedMessageFormatError' } });
  });

  it.each([[Infinity], [-1], [0], [NaN], [2 ** 31], ['100']])('refuses timeoutMs %p with ValidationError before anything is sent', async (timeoutMs) => {
    const fetch = jest.fn<ReturnType<FetchLike>, Parameters<FetchLike>>(async () => ({ status: 200, text: async () => okBody }));
    const error = await firstValueFrom(clientWith(fetch).publish('/default/a', [1], { timeoutMs: timeoutMs as number })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ValidationError', reason: 'INVALID_ARGUMENT', message: 'timeoutMs must be a number > 0 and <= 2147483647 (ms)' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('refuses a requestTimeoutMs a timer cannot hold (it would fire at once)', () => {
    expect(() => createHttpPublisher({ httpEndpoint: 'http://127.0.0.1:1', auth: apiKeyAuth('k'), requestTimeoutMs: 3_000_000_000 })).toThrow(
      'requestTimeoutMs must be a number > 0 and <= 2147483647 (ms)',
    );
  });

  it('refuses a config.fetch that is not a function', () => {
    expect(() => createHttpPublisher({ httpEndpoint: 'http://127.0.0.1:1', auth: apiKeyAuth('k'), fetch: 'fetch' as unknown as FetchLike })).toThrow(
      expect.objectContaining({ reason: 'INVALID_CONFIG' }) as unknown as Error,
    );
  });

  it('does not follow a redirect (the API key would go to the other host): ServerError with the 3xx status', async () => {
    const seen: string[] = [];
    const other = createServer((req, res) => {
      seen.push(String(req.headers['x-api-key']));
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end(okBody);
    });
    const otherPort = await listen(other);
    const api = createServer((req, res) => {
      req.resume();
      res.writeHead(307, { location: `http://127.0.0.1:${otherPort}/collect` }).end();
    });
    const apiPort = await listen(api);
    try {
      const publisher = createHttpPublisher({ httpEndpoint: `http://127.0.0.1:${apiPort}`, auth: apiKeyAuth('da2-SECRETSECRETSECRETSECRETSE') });
      const error = await firstValueFrom(publisher.publish('/default/a', [1])).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ServerError', status: 307, errors: [{ errorType: 'HttpError', errorCode: 307, message: expect.stringMatching(/^HTTP 307: a redirect, not followed/) }] });
      expect(seen).toEqual([]);
    } finally {
      await Promise.all([close(api), close(other)]);
    }
  });

  it('asks fetch not to follow redirects', async () => {
    const inits: Parameters<FetchLike>[1][] = [];
    await firstValueFrom(clientWith(async (_url, init) => (inits.push(init), { status: 200, text: async () => okBody })).publish('/default/a', [1]));
    expect(inits[0]?.redirect).toBe('manual');
  });
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
