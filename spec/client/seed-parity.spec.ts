/** Seed parity helpers: wrapping an already open socket, lambdaConfig, subprotocols. */
import WebSocket from 'ws';
import { firstValueFrom } from 'rxjs';
import { createEventsClient, lambdaConfig, subprotocols, type EventsClient } from '../../src';
import { startEventApi, type EventApi } from '../../src/testing';

let api: EventApi;
let client: EventsClient | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  await api.close();
});

it('wraps an already open socket (NewWebSocketClient) and opens a new one itself after a drop', async () => {
  api = await startEventApi();
  const config = { ...api.clientConfig, lingerMs: 0, retry: { initialDelayMs: 10, random: () => 0 } };
  const socket = new WebSocket(api.realtimeEndpoint, await subprotocols(config));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  expect(socket.protocol).toBe('aws-appsync-event-ws');
  client = createEventsClient({ ...config, socket });
  const value = firstValueFrom(client.subscribe<string>('/default/wrapped'));
  await firstValueFrom(client.subscribed$);
  expect(api.stats().connectionsOpened).toBe(1); // the wrapped socket, not a new one
  await api.publish('/default/wrapped', ['hi']);
  expect(await value).toBe('hi');

  const back = firstValueFrom(client.subscribed$);
  client.subscribe('/default/again').subscribe();
  await back;
  api.faults.dropConnections();
  await firstValueFrom(client.subscribed$); // resubscribed on a socket the client opened itself
  expect(api.stats().connectionsOpened).toBe(2);
});

it('lambdaConfig builds a working Lambda-authorized config, and subprotocols() encodes its connect auth', async () => {
  api = await startEventApi({ apiKeys: [], authorizers: { lambda: (token) => token === 'lambda-token' } });
  const config = lambdaConfig(api.httpEndpoint, api.realtimeEndpoint, 'lambda-token');
  const [protocol, header] = await subprotocols(config);
  expect(protocol).toBe('aws-appsync-event-ws');
  const decoded = JSON.parse(Buffer.from(header.slice('header-'.length), 'base64url').toString('utf8')) as Record<string, string>;
  expect(decoded).toEqual({ host: api.host, Authorization: 'lambda-token' });
  client = createEventsClient({ ...config, lingerMs: 0 });
  await expect(client.connect()).resolves.toMatchObject({ status: 'connected' });
});
