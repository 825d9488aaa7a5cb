/**
 * Every spelling of the IPv4 wildcard counts as one (found by a review, 29 Nov 2026; these failed
 * before): the resolver (getaddrinfo / inet_aton, used by `server.listen(port, host)` for a host that
 * is not an IP literal) reads hexadecimal spellings such as `0x0` as 0.0.0.0 too, and the CLI
 * accepted `--host 0x0` as a host name: the emulator bound every interface without the
 * network-exposure note. No socket is opened here: only the resolver's numeric parse is consulted.
 */
import { lookup } from 'node:dns/promises';
import { parseServeArgs } from '../../src/cli/args';
import { formatServeBanner } from '../../src/cli/banner';
import { isWildcardAddress } from '../../src/testing/address';

describe.each(['0', '0.0', '0x0', '0x00000000', '0.0x0'])('--host %s (the resolver reads it as 0.0.0.0)', (host) => {
  it('is what listen() would bind: 0.0.0.0', async () => {
    expect(await lookup(host, { family: 4 })).toEqual({ address: '0.0.0.0', family: 4 });
    expect(new URL(`http://${host}:8080`).hostname).toBe('0.0.0.0');
  });

  it('counts as a wildcard: canonicalised to 0.0.0.0, with the network-exposure note', () => {
    expect(isWildcardAddress(host)).toBe(true);
    expect(served(host)).toEqual({ host: '0.0.0.0', exposed: true });
  });
});

it.each(['127.0.0.1', '0.0.0.1', 'localhost', '::1', '10.0.0.0', 'example.com', 'not a host'])('%s is not a wildcard', (host) => {
  expect(isWildcardAddress(host)).toBe(false);
});

it.each(['', '::', '::0', '0:0:0:0:0:0:0:0'])('%j is a wildcard', (host) => {
  expect(isWildcardAddress(host)).toBe(true);
});

it.each(['::0', '0:0:0:0:0:0:0:0'])('--host %s is canonicalised to :: and gets the network-exposure note', (host) => {
  expect(served(host)).toEqual({ host: '::', exposed: true });
});

/** What `serve --host <host>` binds, and whether its banner warns that the network can reach it. */
function served(host: string): { host: string; exposed: boolean } {
  const cmd = parseServeArgs(['--host', host]);
  if (cmd.kind !== 'serve') throw new Error('not a serve command');
  const banner = formatServeBanner({
    httpEndpoint: 'http://127.0.0.1:8080/event',
    realtimeEndpoint: 'ws://127.0.0.1:8080/event/realtime',
    apiKeys: ['da2-x'],
    namespaces: ['default'],
    bindHost: cmd.options.host,
  });
  return { host: cmd.options.host, exposed: banner.includes('anyone on your network') };
}
