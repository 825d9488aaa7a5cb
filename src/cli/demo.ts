/**
 * `appsync-events demo`, which `npm start` runs: a short, real client session. Against the embedded
 * emulator by default; against a real AppSync Events API when `APPSYNC_EVENTS_HTTP_ENDPOINT` and
 * `APPSYNC_EVENTS_API_KEY` are set (`APPSYNC_EVENTS_REALTIME_ENDPOINT` and
 * `APPSYNC_EVENTS_NAMESPACE` are optional).
 */
import { firstValueFrom, lastValueFrom, take, tap, throwError, timeout, toArray } from 'rxjs';
import { apiKeyAuth, createEventsClient, type ConnectionState, type EventsClient, type EventsClientConfig } from '../index';
import { clip } from '../errors';
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

/** The variables that select a real API; either both are set, or neither. */
const AWS_VARIABLES = ['APPSYNC_EVENTS_HTTP_ENDPOINT', 'APPSYNC_EVENTS_API_KEY'] as const;

/**
 * Runs the demo and resolves with the process exit code: 0 on success, 1 on failure (reported on
 * stderr as `demo failed: …`), 2 for extra arguments. It subscribes to `/<namespace>/*`, publishes
 * three events over the WebSocket and one over HTTP, prints every connection state and every
 * received event as they happen, then closes. It never rejects.
 *
 * @example
 * ```ts
 * import { runDemo } from './demo';
 * process.exitCode = await runDemo([]);
 * ```
 */
export async function runDemo(
  argv: readonly string[],
  io: DemoIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const say = (line: string): void => void io.stdout.write(`${line}\n`);
  const env = io.env;
  if (argv.length) {
    // Option names only: a value may be a credential (`demo --api-key da2-…`, as `serve` takes).
    const given = argv.map((arg) => (arg.startsWith('-') ? clip(arg.split('=')[0]!) : '<value>')).join(' ');
    io.stderr.write(`appsync-events: demo takes no arguments (it reads its settings from the environment), got: ${given}\nRun 'appsync-events demo --help' for usage.\n`);
    return 2;
  }
  let api: EventApi | undefined;
  let client: EventsClient | undefined;
  const namespace = env.APPSYNC_EVENTS_NAMESPACE || 'default';
  const channel = `/${namespace}/*`;
  const expected = 4;
  try {
    let config: EventsClientConfig;
    const missing = AWS_VARIABLES.filter((name) => !env[name]);
    if (missing.length === 1 || (missing.length === 2 && env.APPSYNC_EVENTS_REALTIME_ENDPOINT)) {
      // Half a configuration must not quietly become a run against the local emulator.
      throw new Error(`${missing.join(' and ')} not set: set ${AWS_VARIABLES.join(' and ')} to run against AWS, or neither to use the embedded emulator`);
    }
    if (!missing.length) {
      config = {
        httpEndpoint: env.APPSYNC_EVENTS_HTTP_ENDPOINT!,
        ...(env.APPSYNC_EVENTS_REALTIME_ENDPOINT ? { realtimeEndpoint: env.APPSYNC_EVENTS_REALTIME_ENDPOINT } : {}),
        auth: apiKeyAuth(env.APPSYNC_EVENTS_API_KEY!),
      };
      // Created first, so that the endpoint printed is the validated one (never credentials or a query).
      client = createEventsClient(config);
      say(`Using the AppSync Events API at ${client.toJSON().httpEndpoint} (API key from APPSYNC_EVENTS_API_KEY).`);
    } else {
      api = await startEventApi({ namespaces: [namespace] });
      config = api.clientConfig;
      client = createEventsClient(config);
      say(`Started the embedded emulator: ${api.httpEndpoint} and ${api.realtimeEndpoint}`);
      say('(set APPSYNC_EVENTS_HTTP_ENDPOINT and APPSYNC_EVENTS_API_KEY to run against AWS instead)');
    }
    client.connectionState$.subscribe((state) => say(`[state]   ${describeState(state)}`));

    // Fail fast when the API cannot be reached (later losses would be retried in the background).
    await client.connect();
    let count = 0;
    let subscribed!: () => void;
    const ready = new Promise<void>((resolve) => (subscribed = resolve));
    // One subscription prints the events and counts them; a refused or unanswered subscribe ends it
    // with the client's error, which fails the demo.
    const received = lastValueFrom(
      client.subscribe<unknown>(channel, { onSubscribed: () => subscribed() }).pipe(
        tap((event) => say(`[event]   ${JSON.stringify(event)}`)),
        take(expected),
        timeout({
          first: 30_000,
          each: 10_000,
          with: () => throwError(() => new Error(`received ${count} of the ${expected} events on ${channel} (none ${count ? 'for 10 s' : 'within 30 s'})`)),
        }),
        tap(() => count++),
        toArray(),
      ),
    );
    received.catch(() => undefined); // observed below; avoid an unhandled rejection while we publish
    await Promise.race([ready, received]);
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
    client?.close();
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
