import { X509Certificate, createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, get, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createDevCertificate, generateSelfSignedCertificate } from '../../src/cli/tls';

describe('generateSelfSignedCertificate', () => {
  it('covers the loopback names plus extra hosts; a wildcard bind stands for the machine\'s own addresses', async () => {
    const { cert, key } = await generateSelfSignedCertificate(['dev.local', '10.1.2.3', '[::1]', 'localhost']);
    const x509 = new X509Certificate(cert);
    expect(x509.subjectAltName?.split(', ').sort()).toEqual(
      ['DNS:localhost', 'DNS:dev.local', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', 'IP Address:10.1.2.3'].sort(),
    );
    // A client on another machine connects to one of these (IPv4 for 0.0.0.0, any for ::).
    const own = Object.values(networkInterfaces()).flat().filter((i) => i !== undefined && !i.internal && !i.address.startsWith('fe80:'));
    for (const [wildcard, families] of [
      ['0.0.0.0', ['IPv4']],
      ['::', ['IPv4', 'IPv6']],
    ] as const) {
      const checked = new X509Certificate((await generateSelfSignedCertificate([wildcard])).cert);
      for (const i of own) expect(checked.checkIP(i!.address)).toBe((families as readonly string[]).includes(i!.family) ? i!.address : undefined);
      expect(checked.subjectAltName).not.toContain('IP Address:0.0.0.0');
    }
    expect(x509.checkIssued(x509)).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.ca).toBe(true);
    expect(createPrivateKey(key).asymmetricKeyType).toBe('ec');
    const validDays = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
    expect(validDays).toBeCloseTo(30, 0);
    expect(Date.parse(x509.validFrom)).toBeLessThanOrEqual(Date.now());
  });

  it('is trusted for 127.0.0.1 and localhost by a client given the certificate as CA', async () => {
    const { cert, key } = await generateSelfSignedCertificate();
    const server: Server = createServer({ key, cert }, (_req, res) => res.end('secure hello'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      for (const hostname of ['127.0.0.1', 'localhost']) {
        const body = await new Promise<string>((resolve, reject) => {
          get({ hostname, port, path: '/', ca: cert, lookup: hostname === 'localhost' ? loopbackLookup : undefined }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve(text));
          }).on('error', reject);
        });
        expect(body).toBe('secure hello');
      }
      // And an untrusting client refuses it, so the test above really exercised verification.
      await expect(
        new Promise((resolve, reject) => get({ hostname: '127.0.0.1', port, path: '/' }, resolve).on('error', reject)),
      ).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    } finally {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }
  });
});

describe('createDevCertificate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-tls-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes only the certificate to a private directory and removes it on dispose', async () => {
    const dev = await createDevCertificate({ directory: dir });
    expect(dirname(dirname(dev.certPath))).toBe(dir);
    expect(readFileSync(dev.certPath, 'utf8')).toBe(dev.cert);
    expect(statSync(dirname(dev.certPath)).mode & 0o777).toBe(0o700);
    expect(dev.key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(JSON.stringify(dev)).not.toContain('PRIVATE KEY');
    expect(Object.keys(dev)).not.toContain('key');
    await Promise.all([dev.dispose(), dev.dispose()]);
    expect(existsSync(dirname(dev.certPath))).toBe(false);
    await dev.dispose();
  });
});

function loopbackLookup(
  _hostname: string,
  options: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void,
): void {
  // Pin `localhost` to IPv4: the server listens on 127.0.0.1 only, the name is what is verified.
  if (typeof options === 'object' && options !== null && (options as { all?: boolean }).all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}
