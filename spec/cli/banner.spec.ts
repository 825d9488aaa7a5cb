import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BANNER_LABELS, READY_LINE, formatServeBanner, type ServeBannerInfo } from '../../src/cli/banner';

const base: ServeBannerInfo = {
  httpEndpoint: 'http://127.0.0.1:8080/event',
  realtimeEndpoint: 'ws://127.0.0.1:8080/event/realtime',
  apiKeys: ['da2-first', 'da2-second'],
  namespaces: ['chat', 'game'],
  bindHost: '127.0.0.1',
};

describe('formatServeBanner', () => {
  it('lists endpoints, keys and namespaces and ends with the ready line', () => {
    const text = formatServeBanner(base);
    expect(text).toContain(`  ${BANNER_LABELS.httpEndpoint.padEnd(20)}http://127.0.0.1:8080/event\n`);
    expect(text).toContain(`  ${BANNER_LABELS.realtimeEndpoint.padEnd(20)}ws://127.0.0.1:8080/event/realtime\n`);
    expect(text).toContain(`  ${BANNER_LABELS.apiKey.padEnd(20)}da2-first\n`);
    expect(text).toMatch(/Other API keys: +da2-second\n/);
    expect(text).toMatch(/Namespaces: +chat, game\n/);
    expect(text).toMatch(/Keep-alive: +every 60000 ms\n/);
    expect(text.endsWith(`${READY_LINE}\n`)).toBe(true);
    expect(text).not.toContain(BANNER_LABELS.certificate);
    expect(text).not.toContain('Note: bound to');
  });

  it('gives a TypeScript client snippet with the first key', () => {
    const text = formatServeBanner(base);
    expect(text).toContain(
      [
        "  import { apiKeyAuth, createEventsClient } from 'appsync-events-rx';",
        '',
        '  const client = createEventsClient({',
        "    httpEndpoint: 'http://127.0.0.1:8080/event',",
        "    realtimeEndpoint: 'ws://127.0.0.1:8080/event/realtime',",
        "    auth: apiKeyAuth('da2-first'),",
        '  });',
      ].join('\n'),
    );
  });

  it('gives a curl publish to the first namespace whose body is valid HTTP-publish JSON', () => {
    const text = formatServeBanner(base);
    const curl = text.slice(text.indexOf('  curl '), text.indexOf(READY_LINE)).trim();
    expect(curl).toContain("curl -sS -X POST http://127.0.0.1:8080/event \\\n");
    expect(curl).toContain("-H 'content-type: application/json' -H 'x-api-key: da2-first' \\\n");
    const body = /-d '(.*)'$/.exec(curl)?.[1];
    expect(body).toBeDefined();
    const parsed = JSON.parse(body as string) as { channel: string; events: string[] };
    expect(parsed.channel).toBe('/chat/hello');
    expect(parsed.events.map((e) => JSON.parse(e) as unknown)).toEqual([{ text: 'hi' }]);
  });

  it('quotes keys for the shell and for TypeScript', () => {
    const text = formatServeBanner({ ...base, apiKeys: ["it's\\odd"] });
    expect(text).toContain("auth: apiKeyAuth('it\\'s\\\\odd'),");
    expect(text).toContain("-H 'x-api-key: it'\\''s\\odd'");
  });

  it('prints a curl command that a POSIX shell splits into the intended arguments, even for an awkward key', () => {
    // A stand-in `curl` on PATH reports the argv the shell gave it.
    const bin = mkdtempSync(join(tmpdir(), 'fake-curl-'));
    try {
      writeFileSync(join(bin, 'curl'), `#!${process.execPath}\nprocess.stdout.write(JSON.stringify(process.argv.slice(2)));\n`);
      chmodSync(join(bin, 'curl'), 0o755);
      const key = `da2-it's "odd" $HOME \\`;
      const text = formatServeBanner({ ...base, apiKeys: [key], certificatePath: '/tmp/with space/cert.pem' });
      const command = text.slice(text.indexOf('curl '), text.indexOf(READY_LINE)).trim();
      const argv = JSON.parse(execFileSync('sh', ['-c', command], { env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` }, encoding: 'utf8' })) as string[];
      expect(argv).toEqual([
        '-sS',
        '--cacert',
        '/tmp/with space/cert.pem',
        '-X',
        'POST',
        'http://127.0.0.1:8080/event',
        '-H',
        'content-type: application/json',
        '-H',
        `x-api-key: ${key}`,
        '-d',
        JSON.stringify({ channel: '/chat/hello', events: ['{"text":"hi"}'] }),
      ]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('with TLS, shows the certificate and how to trust it in Node and curl', () => {
    const text = formatServeBanner({
      ...base,
      httpEndpoint: 'https://127.0.0.1:8443/event',
      realtimeEndpoint: 'wss://127.0.0.1:8443/event/realtime',
      certificatePath: '/tmp/appsync-events-x/cert.pem',
    });
    expect(text).toMatch(/TLS certificate: +\/tmp\/appsync-events-x\/cert\.pem\n/);
    expect(text).toContain('NODE_EXTRA_CA_CERTS=/tmp/appsync-events-x/cert.pem node your-app.js');
    expect(text).toContain('curl -sS --cacert /tmp/appsync-events-x/cert.pem -X POST https://127.0.0.1:8443/event');
  });

  it('warns when bound to every interface, and shows a custom keep-alive', () => {
    const text = formatServeBanner({ ...base, bindHost: '0.0.0.0', keepAliveIntervalMs: 500 });
    expect(text).toContain('Note: bound to 0.0.0.0');
    expect(text).toContain("add 'allowInsecure: true' to the client config (or run with --tls)");
    expect(formatServeBanner({ ...base, bindHost: '::', certificatePath: '/c.pem' })).not.toContain('allowInsecure');
    expect(text).toMatch(/Keep-alive: +every 500 ms\n/);
  });
});
