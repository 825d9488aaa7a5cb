/**
 * The throw-away TLS identity of `appsync-events serve --tls`: a self-signed certificate for the
 * loopback names, generated at start, with only the certificate (never the private key) written to
 * a private temporary directory so that clients can be pointed at it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** Names every development certificate covers. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'] as const;

/** Validity of a generated certificate. Short on purpose: a new one is made at every start. */
const VALIDITY_DAYS = 30;

/**
 * A PEM key pair for `startEventApi({ tls })`.
 *
 * @example
 * ```ts
 * import { generateSelfSignedCertificate } from './tls';
 * const pair: { key: string; cert: string } = await generateSelfSignedCertificate();
 * ```
 */
export interface PemKeyPair {
  /** PKCS#8 private key, PEM. Keep it in memory; never print it. */
  readonly key: string;
  /** X.509 certificate, PEM. */
  readonly cert: string;
}

/**
 * Generates a self-signed ECDSA P-256 / SHA-256 certificate valid for 30 days whose subject
 * alternative names are `localhost`, `127.0.0.1`, `::1` and any extra `hosts` (IP literals become
 * IP entries, anything else DNS entries; the wildcard binds `0.0.0.0` and `::` are skipped because
 * no client connects to them by that name). The certificate is its own issuer, so a client that
 * trusts it as a CA (`ca: cert`, `NODE_EXTRA_CA_CERTS`) accepts the server.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:https';
 * import { generateSelfSignedCertificate } from './tls';
 * const { key, cert } = await generateSelfSignedCertificate(['dev.local']);
 * createServer({ key, cert }).listen(0, '127.0.0.1');
 * ```
 */
export async function generateSelfSignedCertificate(hosts: readonly string[] = []): Promise<PemKeyPair> {
  const names = certificateNames(hosts);
  const notBeforeDate = new Date(Date.now() - 60_000); // tolerate small clock differences
  const notAfterDate = new Date(notBeforeDate.getTime() + VALIDITY_DAYS * 24 * 60 * 60 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'appsync-events local emulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      // A CA flag lets strict verifiers accept it as the trust anchor it is.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((name) => (isIP(name) !== 0 ? { type: 7 as const, ip: name } : { type: 2 as const, value: name })),
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/**
 * A generated certificate whose PEM sits in a file (for `NODE_EXTRA_CA_CERTS` or `curl --cacert`)
 * until {@link DevCertificate.dispose} removes it.
 *
 * @example
 * ```ts
 * import { createDevCertificate } from './tls';
 * const dev = await createDevCertificate();
 * console.log(`NODE_EXTRA_CA_CERTS=${dev.certPath}`);
 * await dev.dispose();
 * ```
 */
export interface DevCertificate extends PemKeyPair {
  /** Absolute path of the certificate PEM (the private key is not written anywhere). */
  readonly certPath: string;
  /** Deletes the certificate file and its directory. Safe to call more than once. */
  dispose(): Promise<void>;
}

/**
 * Generates a certificate with {@link generateSelfSignedCertificate} and writes its PEM to
 * `cert.pem` in a new private directory (`<tmp>/appsync-events-XXXXXX/`, mode 0700).
 *
 * @example
 * ```ts
 * import { startEventApi } from '../testing';
 * import { createDevCertificate } from './tls';
 * const dev = await createDevCertificate();
 * const api = await startEventApi({ tls: { key: dev.key, cert: dev.cert } });
 * ```
 */
export async function createDevCertificate(options: { readonly hosts?: readonly string[]; readonly directory?: string } = {}): Promise<DevCertificate> {
  const pair = await generateSelfSignedCertificate(options.hosts);
  const dir = await mkdtemp(join(options.directory ?? tmpdir(), 'appsync-events-'));
  const certPath = join(dir, 'cert.pem');
  try {
    await writeFile(certPath, pair.cert, { mode: 0o644 });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let disposed: Promise<void> | undefined;
  const dev = {
    cert: pair.cert,
    certPath,
    dispose: () => (disposed ??= rm(dir, { recursive: true, force: true })),
  };
  // Non-enumerable so that logging or JSON-encoding the object does not dump the private key.
  return Object.defineProperty(dev, 'key', { value: pair.key, enumerable: false }) as DevCertificate;
}

function certificateNames(hosts: readonly string[]): string[] {
  const names: string[] = [...LOOPBACK_NAMES];
  for (const raw of hosts) {
    const host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
    if (host === '' || host === '0.0.0.0' || host === '::' || names.includes(host)) continue;
    names.push(host);
  }
  return names;
}
