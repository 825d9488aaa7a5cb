// In process, without a network: what one WebSocket publish costs the client while 10,000 are in
// flight. A fake socket acknowledges the connection and collects the publish frames; their
// `publish_success` replies are delivered after all have been sent, like in `ws-publish-10k`.
// Prints the heap held per in-flight publish (after GC) and the client's time per publish (median
// of 40 rounds). A diagnostic for the publish path, not a target: `npm run bench` has the targets.
//
//   npm run build && node --expose-gc bench/inflight.mjs
import { apiKeyAuth, createEventsClient } from 'appsync-events-rx';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const N = 10_000;
const ROUNDS = 40;

/** @type {FakeSocket} */
let socket;
class FakeSocket {
  constructor() {
    socket = this;
    this.readyState = 0;
    /** Ids of the publishes sent and not answered yet. */
    this.pending = [];
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.({});
    });
  }
  send(text) {
    if (text.startsWith('{"type":"connection_init"')) {
      setTimeout(() => this.onmessage({ data: '{"type":"connection_ack","connectionTimeoutMs":300000}' }));
      return;
    }
    const start = text.indexOf('"id":"') + 6;
    this.pending.push(text.slice(start, text.indexOf('"', start)));
  }
  /** Answers every pending publish. */
  acknowledge() {
    const ids = this.pending;
    this.pending = [];
    for (const id of ids) this.onmessage({ data: `{"type":"publish_success","id":"${id}","successful":[{"identifier":"x","index":0}],"failed":[]}` });
  }
  close() {}
}

// No pacing (`publishRateLimit: false`): the fake socket has no rate limit, and N requests are in flight at once.
const client = createEventsClient({ httpEndpoint: 'http://127.0.0.1:1', auth: apiKeyAuth('da2-bench'), WebSocket: FakeSocket, publishRateLimit: false });
await client.connect();
const events = [{ seq: 1, kind: 'bench-publish', text: 'x'.repeat(150) }];
let acknowledged = 0;
const fail = (e) => {
  throw e;
};
const publishAll = () => {
  // An observer object and a closure per publish, as an application's `subscribe({ next, error })`.
  for (let i = 0; i < N; i++) client.publish('/default/bench', events).subscribe({ next: () => acknowledged++, error: fail });
};

// Heap held while N publishes are in flight.
publishAll();
socket.acknowledge();
gc();
gc();
const before = process.memoryUsage().heapUsed;
publishAll();
gc();
gc();
const heldPerPublish = (process.memoryUsage().heapUsed - before) / N;
socket.acknowledge();

// Time per publish: N sent, then N acknowledged.
const times = [];
for (let round = 0; round < ROUNDS; round++) {
  const t0 = process.hrtime.bigint();
  publishAll();
  socket.acknowledge();
  times.push(Number(process.hrtime.bigint() - t0) / N);
}
times.sort((a, b) => a - b);
client.close();
if (acknowledged !== N * (ROUNDS + 2)) throw new Error(`${acknowledged} publishes acknowledged, expected ${N * (ROUNDS + 2)}`);
console.log(`heap held per in-flight publish: ${Math.round(heldPerPublish)} B`);
console.log(`client time per publish: ${(times[ROUNDS / 2] / 1000).toFixed(2)} µs (median of ${ROUNDS} rounds of ${N}; min ${(times[0] / 1000).toFixed(2)})`);
