/**
 * The CLI as users run it: bundled the way tsup bundles `dist/cli.cjs` (CommonJS, Node platform,
 * dependencies external) and started as a child process, stopped with a real SIGINT.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, stop as stopEsbuild } from 'esbuild';
import { NODE_BUNDLE, killChildren } from '../helpers/node-bundle';
import { READY_LINE } from '../../src/cli/banner';
import { VERSION } from '../../src/cli/version';
import { httpPublish, portIsFree, readBanner } from './helpers';

const root = resolve(__dirname, '..', '..');
let outDir: string;
let cliPath: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'appsync-events-cli-spec-'));
  cliPath = join(outDir, 'cli.cjs');
  await build({ ...NODE_BUNDLE, entryPoints: [join(root, 'src/cli/main.ts')], outfile: cliPath });
  await stopEsbuild();
});

afterEach(() => killChildren(children));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

interface Run {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with stdout once it contains `text`; rejects if the process ends first. */
  readonly waitForStdout: (text: string) => Promise<string>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function node(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  // The bundle lives in a temp dir; NODE_PATH lets its external `require('ws')` etc. find the
  // project's node_modules, as an installed package would find its own.
  const child = spawn(process.execPath, args, {
    cwd: outDir,
    env: { ...process.env, NODE_PATH: join(root, 'node_modules'), ...env },
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('close', (code, signal) => done({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitForStdout: (text) =>
      new Promise((resolveText, reject) => {
        const check = (): void => {
          if (!out.includes(text)) return;
          child.stdout.off('data', check);
          resolveText(out);
        };
        child.stdout.on('data', check);
        void exit.then(() => reject(new Error(`process ended before printing ${JSON.stringify(text)}; stderr:\n${err}`)));
        check();
      }),
  };
}

describe('appsync-events (child process)', () => {
  it('bundles with a shebang, like dist/cli.cjs', () => {
    expect(readFileSync(cliPath, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('serve prints working endpoints, exits 0 on SIGINT and releases the port', async () => {
    const run = node([cliPath, 'serve', '--port', '0', '--api-key', 'process-key']);
    const printed = readBanner(await run.waitForStdout(READY_LINE));
    expect(printed.apiKey).toBe('process-key');
    expect((await httpPublish(printed.httpEndpoint, 'process-key', '/default/proc', [{ n: 1 }])).status).toBe(200);

    run.child.kill('SIGINT');
    expect(await run.exit).toEqual({ code: 0, signal: null });
    expect(run.stderr()).toContain('Shutting down');
    expect(await portIsFree(printed.port)).toBe(true);
  });

  it('serve --tls: the printed NODE_EXTRA_CA_CERTS advice makes another Node process trust it; SIGTERM exits 0', async () => {
    const run = node([cliPath, 'serve', '--port', '0', '--api-key', 'tls-process-key', '--tls']);
    const printed = readBanner(await run.waitForStdout(READY_LINE));
    const certPath = printed.certificatePath as string;
    expect(run.stdout()).toContain(`NODE_EXTRA_CA_CERTS=${certPath}`);

    // A plain `https.request` with no `ca` option: trust comes from the environment variable only.
    const script = `
      const req = require('node:https').request(process.argv[1], { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'tls-process-key' } }, (res) => {
        res.resume();
        res.on('end', () => console.log('status ' + res.statusCode));
      });
      req.on('error', (e) => { console.log('error ' + e.code); });
      req.end(JSON.stringify({ channel: '/default/x', events: ['1'] }));`;
    const trusting = node(['-e', script, printed.httpEndpoint], { NODE_EXTRA_CA_CERTS: certPath });
    const untrusting = node(['-e', script, printed.httpEndpoint], { NODE_EXTRA_CA_CERTS: undefined });
    await Promise.all([trusting.exit, untrusting.exit]);
    expect(trusting.stdout().trim()).toBe('status 200');
    expect(untrusting.stdout().trim()).toBe('error DEPTH_ZERO_SELF_SIGNED_CERT');

    run.child.kill('SIGTERM');
    expect(await run.exit).toEqual({ code: 0, signal: null });
    expect(existsSync(certPath)).toBe(false);
  });

  it('--version prints the version', async () => {
    const run = node([cliPath, '--version']);
    expect(await run.exit).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toBe(`${VERSION}\n`);
  });

  it('a bad value exits 2 with the reason on stderr', async () => {
    const run = node([cliPath, 'serve', '--port', 'abc']);
    expect(await run.exit).toEqual({ code: 2, signal: null });
    expect(run.stdout()).toBe('');
    expect(run.stderr()).toBe(
      "appsync-events: option --port must be a port number, an integer from 0 to 65535; got 'abc'\nRun 'appsync-events serve --help' for usage.\n",
    );
  });
});
