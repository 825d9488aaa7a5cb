/**
 * CLI behaviour that contradicted docs/emulator.md (and the CLI's own promises), found by a review
 * of 29 Nov 2026; each test failed before its fix.
 */
import { X509Certificate } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { runCli } from '../../src/cli/run';
import { createDevCertificate } from '../../src/cli/tls';
import { captureIo } from './helpers';

const SECRET = 'da2-thisisarealsecretkey0123';

describe('credentials are never echoed by the CLI (docs/emulator.md:423, src/cli/errors.ts)', () => {
  it('`demo --api-key <key>` (a plausible mistake: serve takes --api-key) does not print the key', async () => {
    const io = captureIo();
    expect(await runCli(['demo', '--api-key', SECRET], io)).toBe(2);
    expect(io.err()).not.toContain(SECRET);
  });

  it('`serve --api-key one two` (a second key without its option) does not print the second key', async () => {
    const io = captureIo();
    expect(await runCli(['serve', '--api-key', 'da2-first', SECRET], io)).toBe(2);
    expect(io.err()).not.toContain(SECRET);
  });
});

describe('"use --tls" for clients on another machine (docs/emulator.md:407, src/cli/banner.ts:100)', () => {
  it('the --tls certificate of `serve --tls --host 0.0.0.0` is valid for this machine\'s non-loopback address', async () => {
    const address =
      Object.values(networkInterfaces())
        .flat()
        .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address ?? '192.0.2.10';
    // serve.ts calls createDevCertificate({ hosts: [options.host] }).
    const dev = await createDevCertificate({ hosts: ['0.0.0.0'] });
    try {
      expect(new X509Certificate(dev.cert).checkIP(address)).toBe(address);
    } finally {
      await dev.dispose();
    }
  });
});
