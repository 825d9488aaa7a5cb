// One scenario, one client, one run, in a fresh process (forked by run.mjs with NODE_EXTRA_CA_CERTS
// pointing at the server's certificate, so both clients use plain default TLS settings). Only Node
// built-ins are imported statically: the client library is imported inside the scenario, so that
// the `connect` scenario can time the import itself.
//
//   node bench/scenario.mjs '<json>'   with json = { scenario, client, params, server }
// The result is sent over IPC ({ ok, metrics } or { ok: false, error }).
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';

const { scenario, client: kind, params, server } = JSON.parse(process.argv[2] ?? '{}');

// --- clients under test, behind one small interface -------------------------------------------

/**
 * @typedef {object} BenchClient
 * @property {() => Promise<void>} connect
 * @property {(channel: string, onEvent: (e: any) => void) => Promise<unknown>} subscribe resolves at subscribe_success
 * @property {(channels: string[], onEvent: (e: any) => void) => Promise<unknown[]>} subscribeAll resolves when all are acknowledged
 * @property {(channel: string, events: unknown[], done: (error: unknown, result?: unknown) => void) => void} publish
 * @property {(channel: string, events: unknown[]) => Promise<unknown>} publishHttp
 * @property {() => void} close
 */

/** @returns {Promise<BenchClient>} */
async function sdkClient() {
  const { createEventsClient, apiKeyAuth } = await import('appsync-events-rx');
  // No pacing of WebSocket publishes: the bench's emulator has no rate limit (`publishRateLimit:
  // false`, bench/server.mjs), and neither has the baseline; with the service's 25 requests per
  // second, 10,000 publishes in flight could not be measured at all.
  const config = { httpEndpoint: server.httpEndpoint, realtimeEndpoint: server.realtimeEndpoint, auth: apiKeyAuth(server.apiKey), publishRateLimit: false };
  const client = createEventsClient(config);
  // HTTP publishing is its own entry point (dist/http.js); loaded only by the scenario that uses it,
  // so that the import-time and heap scenarios measure the WebSocket client alone.
  let publisher;
  const httpPublisher = async () => (publisher ??= (await import('appsync-events-rx/http')).createHttpPublisher(config));
  const subscribe = (channel, onEvent) =>
    new Promise((resolve, reject) => {
      const sub = client.subscribe(channel, { onSubscribed: () => resolve(sub) }).subscribe({ next: onEvent, error: reject });
    });
  return {
    raw: client,
    connect: () => client.connect().then(() => undefined),
    subscribe,
    subscribeAll: (channels, onEvent) =>
      new Promise((resolve, reject) => {
        // Acknowledgements counted on the client-wide stream, so that no per-subscription callback
        // of the benchmark itself stays in memory (the heap scenario measures the client).
        let acked = 0;
        const subs = [];
        const watch = client.subscribed$.subscribe(() => {
          if (++acked === channels.length) {
            watch.unsubscribe();
            resolve(subs);
          }
        });
        for (const channel of channels) subs.push(client.subscribe(channel).subscribe({ next: onEvent, error: reject }));
      }),
    publish: (channel, events, done) => client.publish(channel, events).subscribe({ next: (r) => done(undefined, r), error: (e) => done(e) }),
    publishHttp: async (channel, events) => {
      const http = await httpPublisher();
      return new Promise((resolve, reject) => http.publish(channel, events).subscribe({ next: resolve, error: reject }));
    },
    close: () => client.close(),
  };
}

/** @returns {Promise<BenchClient>} */
async function baselineClient() {
  const { MinimalClient } = await import('./baseline.mjs');
  const client = new MinimalClient(server);
  let connected;
  return {
    connect: () => (connected ??= client.connect()),
    subscribe: async (channel, onEvent) => {
      await (connected ??= client.connect());
      return client.subscribe(channel, onEvent);
    },
    subscribeAll: async (channels, onEvent) => {
      await (connected ??= client.connect());
      return Promise.all(channels.map((c) => client.subscribe(c, onEvent)));
    },
    publish: (channel, events, done) => client.publish(channel, events, done),
    publishHttp: (channel, events) => client.publishHttp(channel, events),
    close: () => client.close(),
  };
}

const makeClient = () => (kind === 'sdk' ? sdkClient() : baselineClient());

// --- helpers ------------------------------------------------------------------------------------

let http;
let agent;
/** POSTs a command to the bench server's control endpoint. */
async function control(command, body = {}) {
  http ??= await import('node:http');
  agent ??= new http.Agent({ keepAlive: true });
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.control}/${command}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => {
        const parsed = JSON.parse(data);
        if (res.statusCode !== 200) reject(new Error(`control ${command}: ${parsed.error}`));
        else resolve(parsed);
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** An event of about `bytes` bytes as JSON. */
const payload = (seq, bytes = 200) => ({ seq, kind: 'bench-publish', text: 'x'.repeat(Math.max(0, bytes - 48)) });

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Bytes used on the V8 heap: all of it, and without the spaces that hold compiled code. */
function heapUsed() {
  let all = 0;
  let data = 0;
  for (const { space_name: name, space_used_size: used } of v8.getHeapSpaceStatistics()) {
    all += used;
    if (!name.startsWith('code_')) data += used;
  }
  return { all, data };
}

async function collectGarbage() {
  for (let i = 0; i < 6; i++) {
    globalThis.gc();
    await settle();
  }
}

// --- scenarios ----------------------------------------------------------------------------------

const scenarios = {
  /** `count` events of ~eventBytes to one of `subs` subscriptions, delivered parsed. */
  async inbound({ subs, count, eventBytes, warmup }) {
    const c = await makeClient();
    await c.connect();
    const run = `${process.pid}`;
    const channels = Array.from({ length: subs }, (_, i) => `/default/in${run}/c${i}`);
    const target = channels[channels.length - 1];
    let stray = 0;
    if (subs > 1) await c.subscribeAll(channels.slice(0, -1), () => stray++);
    let received = 0;
    let expected = 0;
    let lastSeq = -1;
    let done = deferred();
    await c.subscribe(target, (event) => {
      lastSeq = event.seq;
      if (++received === expected) done.resolve();
    });
    const burst = async (n) => {
      received = 0;
      expected = n;
      done = deferred();
      const info = await control('prepare', { channel: target, count: n, eventBytes });
      const cpu0 = cpuMicros();
      const t0 = performance.now();
      const sent = control('go');
      await done.promise;
      const ms = performance.now() - t0;
      const cpu = cpuMicros() - cpu0;
      await sent;
      if (lastSeq !== n - 1) throw new Error(`events out of order: last seq ${lastSeq}, expected ${n - 1}`);
      return { ms, cpu, info };
    };
    if (warmup > 0) await burst(warmup);
    const { ms, cpu, info } = await burst(count);
    c.close();
    if (stray !== 0) throw new Error(`${stray} events reached the wrong subscription`);
    return { eventsPerSec: (count / ms) * 1000, ms, cpuUsPerEvent: cpu / count, eventJsonBytes: info.eventBytes, frameBytes: info.bytes / count };
  },

  /** One wire subscription shared by `local` RxJS subscribers (our client only). */
  async fanout({ local, count, eventBytes, warmup }) {
    const c = await makeClient();
    const channel = `/default/fan${process.pid}`;
    let deliveries = 0;
    let expected = 0;
    let done = deferred();
    const onEvent = () => {
      if (++deliveries === expected) done.resolve();
    };
    await c.subscribe(channel, onEvent);
    const shared = c.raw.subscribe(channel);
    for (let i = 1; i < local; i++) shared.subscribe(onEvent);
    const burst = async (n) => {
      deliveries = 0;
      expected = n * local;
      done = deferred();
      await control('prepare', { channel, count: n, eventBytes });
      const cpu0 = cpuMicros();
      const t0 = performance.now();
      const sent = control('go');
      await done.promise;
      const ms = performance.now() - t0;
      const cpu = cpuMicros() - cpu0;
      await sent;
      return { ms, cpu };
    };
    if (warmup > 0) await burst(warmup);
    const { ms, cpu } = await burst(count);
    c.close();
    return { usPerEvent: (ms * 1000) / count, nsPerDelivery: (ms * 1e6) / (count * local), cpuUsPerEvent: cpu / count, eventsPerSec: (count / ms) * 1000 };
  },

  /** `total` WebSocket publishes of `eventsPer` events, at most `inFlight` outstanding. */
  async wsPublish({ total, inFlight, eventsPer, warmup }) {
    const c = await makeClient();
    await c.connect();
    const channel = `/default/pub${process.pid}`;
    const events = Array.from({ length: eventsPer }, (_, i) => payload(i));
    const run = (n) => {
      const d = deferred();
      let started = 0;
      let finished = 0;
      const onDone = (error, result) => {
        if (error) return d.reject(error);
        const ok = result.successful.length;
        if (ok !== eventsPer) return d.reject(new Error(`publish acknowledged ${ok} of ${eventsPer} events`));
        if (++finished === n) d.resolve();
        else if (started < n) next();
      };
      const next = () => {
        started++;
        c.publish(channel, events, onDone);
      };
      while (started < Math.min(n, inFlight)) next();
      return d.promise;
    };
    // The same round twice: the first one (cold: code not yet optimised, compiler threads busy) is
    // reported as coldEventsPerSec; the second one is the headline (steady state).
    const round = async () => {
      const cpu0 = cpuMicros();
      const t0 = performance.now();
      await run(total);
      return { ms: performance.now() - t0, cpu: cpuMicros() - cpu0 };
    };
    if (warmup > 0) await run(warmup);
    const cold = await round();
    const { ms, cpu } = await round();
    c.close();
    return {
      eventsPerSec: ((total * eventsPer) / ms) * 1000,
      coldEventsPerSec: ((total * eventsPer) / cold.ms) * 1000,
      publishesPerSec: (total / ms) * 1000,
      ms,
      cpuUsPerPublish: cpu / total,
    };
  },

  /** `total` HTTP publishes of one event, `inFlight` outstanding; counts TCP connections opened. */
  async httpPublish({ total, inFlight, warmup }) {
    const dc = await import('node:diagnostics_channel');
    let connections = 0;
    dc.subscribe('undici:client:connected', () => connections++);
    const c = await makeClient();
    const channel = `/default/http${process.pid}`;
    const events = [payload(0)];
    const run = async (n) => {
      let next = 0;
      const worker = async () => {
        while (next < n) {
          next++;
          const r = await c.publishHttp(channel, events);
          if (r.successful.length !== 1) throw new Error('HTTP publish did not accept the event');
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
    };
    if (warmup > 0) await run(warmup);
    const before = connections;
    const t0 = performance.now();
    await run(total);
    const ms = performance.now() - t0;
    c.close();
    return { eventsPerSec: (total / ms) * 1000, ms, connectionsOpened: connections - before, connectionsTotal: connections };
  },

  /** Heap per idle subscription: `subs` subscriptions held, after GC. */
  async heap({ subs }) {
    const c = await makeClient();
    await c.connect();
    const prefix = `/default/heap${process.pid}`;
    const noop = () => undefined;
    // One subscription first, so that per-client costs (lazy structures, JIT) are not counted.
    const warm = await c.subscribeAll([`${prefix}/warm`], noop);
    await collectGarbage();
    const before = heapUsed();
    const channels = Array.from({ length: subs }, (_, i) => `${prefix}/c${i}`);
    const held = await c.subscribeAll(channels, noop);
    await collectGarbage();
    const after = heapUsed();
    // The headline leaves out the code the JIT compiles while the subscriptions are made (a
    // one-off, not memory a subscription holds); `withCodeBytesPerSub` counts it too.
    const result = {
      bytesPerSub: (after.data - before.data) / subs,
      withCodeBytesPerSub: (after.all - before.all) / subs,
      heapBeforeKB: before.all / 1024,
      heapAfterKB: after.all / 1024,
    };
    if (held.length !== subs || warm.length !== 1) throw new Error('subscriptions lost');
    c.close();
    return result;
  },

  /** Fresh process: import, then connect and the first subscription acknowledged. */
  async connect() {
    const t0 = performance.now();
    const c = await makeClient();
    const t1 = performance.now();
    await c.subscribe(`/default/first${process.pid}`, () => undefined);
    const t2 = performance.now();
    c.close();
    return { connectMs: t2 - t1, importMs: t1 - t0, totalMs: t2 - t0 };
  },

  /** The server drops every socket; time until the subscription is live again and gets an event. */
  async reconnect() {
    const c = await makeClient();
    const channel = `/default/re${process.pid}`;
    let t0 = 0;
    let resubscribedAt = 0;
    const got = deferred();
    await c.subscribe(channel, (event) => {
      if (event.reconnected) got.resolve(performance.now());
    });
    c.raw.subscribed$.subscribe((e) => {
      if (e.resubscribed) resubscribedAt = performance.now();
    });
    t0 = performance.now();
    await control('drop', { channel });
    const t1 = await got.promise;
    c.close();
    return { ms: t1 - t0, resubscribedMs: resubscribedAt - t0 };
  },
};

try {
  const fn = scenarios[scenario];
  if (!fn) throw new Error(`unknown scenario ${scenario}`);
  const metrics = await fn(params ?? {});
  agent?.destroy();
  process.send?.({ ok: true, metrics }, () => process.exit(0));
  if (!process.send) {
    console.log(JSON.stringify(metrics));
    process.exit(0);
  }
} catch (error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.send?.({ ok: false, error: message }, () => process.exit(1));
  if (!process.send) {
    console.error(message);
    process.exit(1);
  }
}
