// The benchmark's server process: the emulator (from dist/testing.js) over TLS, plus a small plain
// HTTP control endpoint on loopback that the client processes drive. Started by run.mjs with
// child_process.fork; receives its TLS key pair over IPC (never argv/env), answers with the
// endpoints. Runs on its own core so that client and server do not compete for one.
//
// Control commands (POST /<command>, JSON body, JSON answer):
//   prepare { channel, count, eventBytes }  frame `count` data frames of ~eventBytes each for the
//                                            latest subscription to `channel` (seen in traffic$),
//                                            before the client starts its clock
//   go                                       write the prepared frames (answers once written)
//   drop { channel }                         drop every socket; once `channel` is subscribed again
//                                            and acknowledged, publish one event to it
//   stats                                    the emulator's counters
import { createServer } from 'node:http';
import { startEventApi } from '../dist/testing.js';

const { key, cert } = await new Promise((resolve) => process.once('message', resolve));

const api = await startEventApi({
  tls: { key, cert },
  publishRateLimit: false,
  maxSubscriptionsPerConnection: 5000,
  keepAliveIntervalMs: 60_000,
});

/** Latest subscription per channel: { connectionId, id }. */
const subscriptions = new Map();
/** Subscribe ids awaiting their subscribe_success, for the reconnect scenario: id -> channel. */
const watchedIds = new Map();
let watchedChannel;

api.traffic$.subscribe((t) => {
  if (t.direction === 'in' && t.type === 'subscribe') {
    const { channel } = JSON.parse(t.raw);
    subscriptions.set(channel, { connectionId: t.connectionId, id: t.id });
    if (channel === watchedChannel) watchedIds.set(t.id, channel);
  } else if (t.direction === 'out' && t.type === 'subscribe_success' && watchedIds.has(t.id)) {
    const channel = watchedIds.get(t.id);
    watchedIds.clear();
    watchedChannel = undefined;
    // After the ack has been written: the event must follow it on the wire.
    setImmediate(() => void api.publish(channel, [{ reconnected: true }]));
  }
});

/** Makes an event of about `bytes` bytes (as JSON) carrying its sequence number. */
function eventText(seq, bytes) {
  const head = JSON.stringify({ seq, ts: 1700000000000 + seq, kind: 'bench', text: '' });
  return JSON.stringify({ seq, ts: 1700000000000 + seq, kind: 'bench', text: 'x'.repeat(Math.max(0, bytes - head.length)) });
}

let prepared;

const commands = {
  prepare({ channel, count, eventBytes = 200 }) {
    const target = subscriptions.get(channel);
    if (!target) throw new Error(`no subscription to ${channel} seen`);
    const frames = new Array(count);
    for (let i = 0; i < count; i++) frames[i] = JSON.stringify({ type: 'data', id: target.id, event: eventText(i, eventBytes) });
    prepared = api.burst(target.connectionId, frames);
    return { frames: prepared.frames, bytes: prepared.bytes, eventBytes: eventText(0, eventBytes).length };
  },
  async go() {
    if (!prepared) throw new Error('nothing prepared');
    const burst = prepared;
    prepared = undefined;
    await burst.send();
    return { sent: burst.frames };
  },
  drop({ channel }) {
    watchedIds.clear();
    watchedChannel = channel;
    api.faults.dropConnections({ code: 1001, reason: 'bench drop' });
    return { dropped: true };
  },
  stats() {
    return api.stats();
  },
};

const control = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', async () => {
    const name = (req.url ?? '/').slice(1);
    try {
      const command = commands[name];
      if (!command) throw new Error(`unknown command ${name}`);
      const result = await command(body ? JSON.parse(body) : {});
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error?.message ?? error) }));
    }
  });
});
await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));

process.send({
  ready: true,
  httpEndpoint: api.httpEndpoint,
  realtimeEndpoint: api.realtimeEndpoint,
  host: api.host,
  apiKey: api.apiKey,
  control: `http://127.0.0.1:${control.address().port}`,
});

process.on('disconnect', async () => {
  control.close();
  await api.close();
  process.exit(0);
});
