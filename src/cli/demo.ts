/**
 * `appsync-events demo`, which `npm start` runs: a short, real client session. Against the embedded
 * emulator by default; against a real AppSync Events API when `APPSYNC_EVENTS_HTTP_ENDPOINT` and
 * `APPSYNC_EVENTS_API_KEY` are set (`APPSYNC_EVENTS_REALTIME_ENDPOINT` and
 * `APPSYNC_EVENTS_NAMESPACE` are optional).
 */
import { filter, firstValueFrom, lastValueFrom, take, timeout, toArray } from 'rxjs';
import { apiKeyAuth, createEventsClient, type ConnectionState, type EventsClientConfig } from '../index';
import { createHttpPublisher } from '../http';
import { startEventApi, type EventApi } from '../testing/index';

/**
 * Where the demo writes and what environment it reads.
 *
 * @example
 * ```ts
 * await runDemo([], { stdout: process.stdout, stderr: process.stderr, env: process.env });
 * ```
 */
export interface DemoIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs the demo and resolves with the process exit code (0 on success, 1 on failure). It
 * subscribes to `/<namespace>/*`, publishes three events over the WebSocket and one over HTTP,
 * prints every connection state and every received event as they happen, then closes.
 *
 * @example
 * ```ts
 * import { runDemo } from './demo';
 * process.exitCode = await runDemo([]);
 * ```
 */
export async function runDemo(
  _argv: readonly string[],
  io: DemoIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const say = (line: string): void => void io.stdout.write(`${line}\n`);
  const env = io.env;
  let api: EventApi | undefined;
  let config: EventsClientConfig;
  const namespace = env.APPSYNC_EVENTS_NAMESPACE || 'default';
  if (env.APPSYNC_EVENTS_HTTP_ENDPOINT && env.APPSYNC_EVENTS_API_KEY) {
    config = {
      httpEndpoint: env.APPSYNC_EVENTS_HTTP_ENDPOINT,
      ...(env.APPSYNC_EVENTS_REALTIME_ENDPOINT ? { realtimeEndpoint: env.APPSYNC_EVENTS_REALTIME_ENDPOINT } : {}),
      auth: apiKeyAuth(env.APPSYNC_EVENTS_API_KEY),
    };
    say(`Using the AppSync Events API at ${env.APPSYNC_EVENTS_HTTP_ENDPOINT} (API key from APPSYNC_EVENTS_API_KEY).`);
  } else {
    api = await startEventApi({ namespaces: [namespace] });
    config = api.clientConfig;
    say(`Started the embedded emulator: ${api.httpEndpoint} and ${api.realtimeEndpoint}`);
    say('(set APPSYNC_EVENTS_HTTP_ENDPOINT and APPSYNC_EVENTS_API_KEY to run against AWS instead)');
  }

  const client = createEventsClient(config);
  client.connectionState$.subscribe((state) => say(`[state]   ${describeState(state)}`));
  const channel = `/${namespace}/*`;
  const expected = 4;
  try {
    // Fail fast when the API cannot be reached (later losses would be retried in the background).
    await client.connect();
    const received = lastValueFrom(
      client.subscribe<unknown>(channel).pipe(
        take(expected),
        timeout({ first: 15_000, each: 10_000 }),
        toArray(),
      ),
    );
    received.catch(() => undefined); // observed below; avoid an unhandled rejection while we publish
    client.subscribe<unknown>(channel).subscribe((event) => say(`[event]   ${JSON.stringify(event)}`));
    await firstValueFrom(client.subscribed$.pipe(filter((e) => e.channel === channel)));
    say(`[ready]   subscribed to ${channel}`);

    const ws = await firstValueFrom(
      client.publish(`/${namespace}/demo/greetings`, [{ text: 'hello' }, { text: 'from' }, { text: 'appsync-events-rx' }]),
    );
    say(`[publish] WebSocket, 3 events to /${namespace}/demo/greetings: successful ${JSON.stringify(ws.successful)}, failed ${ws.failed.length}`);
    // The same config object serves the HTTP publisher (appsync-events-rx/http).
    const http = await firstValueFrom(createHttpPublisher(config).publish(`/${namespace}/demo/http`, [{ text: 'over HTTP', at: 'POST /event' }]));
    say(`[publish] HTTP, 1 event to /${namespace}/demo/http: successful ${JSON.stringify(http.successful)}, failed ${http.failed.length}`);

    const events = await received;
    say(`[done]    received ${events.length} events on ${channel}`);
    return 0;
  } catch (error) {
    io.stderr.write(`demo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 1;
  } finally {
    client.close();
    await api?.close();
  }
}

function describeState(state: ConnectionState): string {
  switch (state.status) {
    case 'connecting':
      return `connecting (attempt ${state.attempt})`;
    case 'connected':
      return `connected (keep-alive timeout ${state.connectionTimeoutMs} ms)`;
    case 'reconnecting':
      return `reconnecting in ${state.delayMs} ms (attempt ${state.attempt}, after ${state.error.code})`;
    case 'closed':
      return state.error ? `closed: ${state.error.name}: ${state.error.message}` : 'closed';
    default:
      return state.status;
  }
}
