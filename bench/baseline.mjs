// The baseline: a deliberately minimal AppSync Events client written directly on `ws`. It does what
// any hand-written client must do and nothing more: connection_init, subscribe, publish, one
// JSON.parse of each frame and one of each event, and a Map from operation id to callback. No
// reconnect, no validation, no timeouts, no RxJS. It is not tuned to be slow: the authorization
// object and subprotocols are computed once, ids are short counters.
import WebSocket from 'ws';

const PROTOCOL = 'aws-appsync-event-ws';

function base64Url(text) {
  return Buffer.from(text, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export class MinimalClient {
  /** @param {{ realtimeEndpoint: string, httpEndpoint: string, host: string, apiKey: string }} server */
  constructor(server) {
    this.server = server;
    this.authorization = { host: server.host, 'x-api-key': server.apiKey };
    this.handlers = new Map();
    this.seq = 0;
    this.ws = undefined;
  }

  /** Opens the socket, sends connection_init, resolves at connection_ack. */
  connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.server.realtimeEndpoint, [PROTOCOL, `header-${base64Url(JSON.stringify(this.authorization))}`]);
      this.ws = ws;
      ws.on('open', () => ws.send('{"type":"connection_init"}'));
      ws.on('error', reject);
      ws.on('message', (data) => {
        const m = JSON.parse(data);
        if (m.id !== undefined) {
          const handler = this.handlers.get(m.id);
          if (handler !== undefined) handler(m);
        } else if (m.type === 'connection_ack') {
          resolve();
        } else if (m.type === 'connection_error') {
          reject(new Error(JSON.stringify(m.errors)));
        }
      });
    });
  }

  /** Subscribes; `onEvent` gets each parsed event. Resolves with the id at subscribe_success. */
  subscribe(channel, onEvent) {
    const id = `s${++this.seq}`;
    return new Promise((resolve, reject) => {
      this.handlers.set(id, (m) => {
        if (m.type === 'data') onEvent(JSON.parse(m.event));
        else if (m.type === 'subscribe_success') resolve(id);
        else if (m.type === 'subscribe_error') reject(new Error(JSON.stringify(m.errors)));
      });
      this.ws.send(JSON.stringify({ type: 'subscribe', id, channel, authorization: this.authorization }));
    });
  }

  /** Publishes over the socket; `done(error, message)` gets the publish_success/publish_error. */
  publish(channel, events, done) {
    const id = `p${++this.seq}`;
    this.handlers.set(id, (m) => {
      this.handlers.delete(id);
      if (m.type === 'publish_success') done(undefined, m);
      else done(new Error(JSON.stringify(m.errors)));
    });
    this.ws.send(JSON.stringify({ type: 'publish', id, channel, events: events.map((e) => JSON.stringify(e)), authorization: this.authorization }));
  }

  /** Publishes over HTTP with the platform's fetch. */
  async publishHttp(channel, events) {
    const response = await fetch(this.server.httpEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': this.server.apiKey },
      body: JSON.stringify({ channel, events: events.map((e) => JSON.stringify(e)) }),
    });
    const body = await response.json();
    if (response.status !== 200) throw new Error(JSON.stringify(body));
    return body;
  }

  close() {
    this.ws?.close();
  }
}
