/**
 * The throw-away TLS identity of `appsync-events serve --tls`: a self-signed certificate for the
 * loopback names, generated at start, with only the certificate (never the private key) written to
 * a private temporary directory so that clients can be pointed at it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSelfSignedCertificate, type PemKeyPair } from '../testing/tls';

// The certificate itself is the library's (`appsync-events-rx/testing`); the CLI only writes it out.
export { generateSelfSignedCertificate, type PemKeyPair };

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
