// `npm run bench`: runs every scenario for our client (sdk) and for the minimal `ws` baseline,
// each run in a fresh client process, against the emulator in its own process over TLS. Prints a
// table and JSON lines; a full run appends the table to bench/RESULTS.md. See bench/README.md.
//
//   node bench/run.mjs [--smoke] [--runs N] [--only id,id] [--profile] [--no-record]
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

// --- options ------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const smoke = flag('--smoke');
const runs = Number(value('--runs') ?? (smoke ? 1 : 5));
const only = value('--only')?.split(',');
const profile = flag('--profile');
// A profiled run slows the SDK only (the profiler runs in its processes): never recorded, never judged.
const record = !smoke && !flag('--no-record') && !only && !profile;

if (!existsSync(join(root, 'dist/index.js')) || !existsSync(join(root, 'dist/testing.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(2);
}

// --- scenarios ----------------------------------------------------------------------------------

/**
 * Each entry: which clients run it, its parameters (full and smoke), the headline metric, whether
 * higher is better, and the target. `ratio` targets compare the sdk's median with the baseline's
 * median from the same run.
 */
const S = smoke ? (full, small) => small : (full) => full;
const scenarios = [
  {
    id: 'inbound-1',
    title: 'inbound, 1 subscription, ~200 B events',
    kind: 'inbound',
    clients: ['baseline', 'sdk'],
    params: { subs: 1, count: S(200_000, 3_000), eventBytes: 200, warmup: S(20_000, 300) },
    metric: 'eventsPerSec',
    unit: 'events/s',
    higher: true,
    target: { ratioMin: 0.95 },
  },
  {
    id: 'inbound-200',
    title: 'inbound, 200 subscriptions, all traffic to one',
    kind: 'inbound',
    clients: ['baseline', 'sdk'],
    params: { subs: 200, count: S(200_000, 3_000), eventBytes: 200, warmup: S(20_000, 300) },
    metric: 'eventsPerSec',
    unit: 'events/s',
    higher: true,
    target: { ratioMin: 0.95, selfOf: 'inbound-1', selfMin: 0.95 },
  },
  ...[1, 10, 100, 500, 1000].filter((k) => !smoke || k === 1 || k === 1000).map((local) => ({
    id: `fanout-${local}`,
    title: `one channel, ${local} local subscriber${local > 1 ? 's' : ''}`,
    kind: 'fanout',
    clients: ['sdk'],
    params: { local, count: S(100_000, 500), eventBytes: 200, warmup: S(10_000, 50) },
    metric: 'usPerEvent',
    unit: 'µs/event',
    higher: false,
    target: local === 1000 ? { linear: ['fanout-1', 'fanout-500'] } : undefined,
  })),
  {
    id: 'ws-publish-10k',
    title: 'WS publish, 10,000 one-event publishes all in flight',
    kind: 'wsPublish',
    clients: ['baseline', 'sdk'],
    params: { total: S(10_000, 300), inFlight: S(10_000, 300), eventsPer: 1, warmup: S(500, 20) },
    metric: 'eventsPerSec',
    unit: 'events/s',
    higher: true,
    target: { ratioMin: 0.8 },
  },
  {
    id: 'ws-publish-100x1',
    title: 'WS publish, ≤100 in flight, 1 event each',
    kind: 'wsPublish',
    clients: ['baseline', 'sdk'],
    params: { total: S(10_000, 300), inFlight: 100, eventsPer: 1, warmup: S(500, 20) },
    metric: 'eventsPerSec',
    unit: 'events/s',
    higher: true,
    target: { ratioMin: 0.8 },
  },
  {
    id: 'ws-publish-100x5',
    title: 'WS publish, ≤100 in flight, 5 events each',
    kind: 'wsPublish',
    clients: ['baseline', 'sdk'],
    params: { total: S(4_000, 100), inFlight: 100, eventsPer: 5, warmup: S(200, 10) },
    metric: 'eventsPerSec',
    unit: 'events/s',
    higher: true,
    target: { ratioMin: 0.8 },
  },
  {
    id: 'http-publish',
    title: 'HTTP publish, 2,000 requests, 16 in flight',
    kind: 'httpPublish',
    clients: ['baseline', 'sdk'],
    params: { total: S(2_000, 100), inFlight: 16, warmup: S(100, 16) },
    metric: 'eventsPerSec',
    unit: 'events/s',
    higher: true,
    target: { keepAlive: 16 },
  },
  {
    id: 'heap-idle',
    title: 'heap per idle subscription (1,000, after GC)',
    kind: 'heap',
    clients: ['baseline', 'sdk'],
    params: { subs: S(1_000, 100) },
    metric: 'bytesPerSub',
    unit: 'B/sub',
    higher: false,
    target: { max: 1536 },
    execArgv: ['--expose-gc'],
  },
  {
    id: 'connect',
    title: 'connect + first subscription acknowledged, fresh process',
    kind: 'connect',
    clients: ['baseline', 'sdk'],
    params: {},
    metric: 'connectMs',
    unit: 'ms',
    higher: false,
    target: { ratioMax: 1.2, importMax: 50 },
    runs: smoke ? 1 : Math.max(runs, 7),
  },
  {
    id: 'reconnect',
    title: 'reconnect after the server drops every socket, until an event arrives',
    kind: 'reconnect',
    clients: ['sdk'],
    params: {},
    metric: 'ms',
    unit: 'ms',
    higher: false,
    target: { max: 1000 },
    runs: smoke ? 1 : Math.max(runs, 9),
  },
].filter((s) => !only || only.includes(s.id));

// --- processes ----------------------------------------------------------------------------------

/** Generates the throw-away certificate with the CLI's own code (src/cli/tls.ts, bundled on the fly). */
async function devCertificate(dir) {
  const esbuild = await import('esbuild');
  // Inside node_modules so that the bundle's bare imports (selfsigned) resolve.
  const outfile = join(root, 'node_modules/.cache/appsync-events-bench/tls.mjs');
  await esbuild.build({ entryPoints: [join(root, 'src/cli/tls.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'error' });
  const { createDevCertificate } = await import(pathToFileURL(outfile).href);
  return createDevCertificate({ directory: dir });
}

function startServer(pair) {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'server.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited with code ${code}`)));
    child.once('message', (info) => resolve({ child, info }));
    child.send({ key: pair.key, cert: pair.cert });
  });
}

function runScenario(scenario, client, server, certPath, profileDir) {
  const execArgv = [...(scenario.execArgv ?? [])];
  if (profile && client === 'sdk') execArgv.push('--cpu-prof', '--cpu-prof-interval', '100', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${scenario.id}-${Date.now()}.cpuprofile`);
  const input = JSON.stringify({ scenario: scenario.kind, client, params: scenario.params, server });
  return new Promise((resolve) => {
    const child = fork(join(here, 'scenario.mjs'), [input], {
      execArgv,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result;
    const timer = setTimeout(() => {
      result = { ok: false, error: 'timed out after 180 s' };
      child.kill('SIGKILL');
    }, 180_000);
    child.on('message', (m) => (result = m));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(result ?? { ok: false, error: `exited with code ${code} without a result` });
    });
  });
}

// --- statistics and report ----------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function summarize(samples) {
  const metrics = {};
  for (const name of Object.keys(samples[0] ?? {})) {
    const xs = samples.map((s) => s[name]).filter((x) => typeof x === 'number');
    metrics[name] = { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
  }
  return metrics;
}

function fmt(x, unit) {
  if (x === undefined || Number.isNaN(x)) return 'n/a';
  if (unit === 'events/s') return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function bundleSize() {
  try {
    const out = execFileSync(join(root, 'node_modules/.bin/size-limit'), ['--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return JSON.parse(out);
  } catch (error) {
    // size-limit exits non-zero when the limit is exceeded but still prints the JSON.
    try {
      return JSON.parse(error.stdout);
    } catch {
      return undefined;
    }
  }
}

function gitCommit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench', 'package.json', ':!bench/RESULTS.md'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha} + uncommitted changes in src/ or bench/` : sha;
  } catch {
    return 'unknown';
  }
}

// --- main ---------------------------------------------------------------------------------------

const tmp = mkdtempSync(join(os.tmpdir(), 'appsync-bench-'));
const pair = await devCertificate(tmp);
const { child: serverProcess, info: server } = await startServer(pair);
const results = [];
let failures = 0;

try {
  for (const scenario of scenarios) {
    const samples = Object.fromEntries(scenario.clients.map((c) => [c, []]));
    const errors = [];
    const n = scenario.runs ?? runs;
    for (let i = 0; i < n; i++) {
      // Alternate the order so that drift on a shared machine hits both clients alike.
      const order = i % 2 ? [...scenario.clients].reverse() : scenario.clients;
      for (const client of order) {
        const r = await runScenario(scenario, client, server, pair.certPath, join(root, 'bench/profiles'));
        if (r.ok) samples[client].push(r.metrics);
        else errors.push(`${client}: ${r.error}`);
      }
    }
    const entry = { id: scenario.id, title: scenario.title, metric: scenario.metric, unit: scenario.unit, higher: scenario.higher, clients: {}, errors };
    for (const client of scenario.clients) entry.clients[client] = summarize(samples[client]);
    results.push(entry);
    if (errors.length > 0) {
      failures++;
      for (const e of errors) console.error(`bench: ${scenario.id}: ${e}`);
    }
    process.stderr.write(`bench: ${scenario.id} done\n`);
  }
} finally {
  serverProcess.disconnect();
  await new Promise((resolve) => serverProcess.once('exit', resolve));
  await pair.dispose();
  rmSync(tmp, { recursive: true, force: true });
}

// Targets.
const byId = Object.fromEntries(results.map((r) => [r.id, r]));
const headline = (r, client) => r?.clients[client]?.[r.metric]?.median;
for (const r of results) {
  const def = scenarios.find((s) => s.id === r.id);
  const t = def.target;
  const sdk = headline(r, 'sdk');
  const base = headline(r, 'baseline');
  r.ratio = sdk !== undefined && base !== undefined ? sdk / base : undefined;
  const checks = [];
  if (t?.ratioMin !== undefined) checks.push({ what: `≥ ${t.ratioMin}× baseline`, pass: r.ratio >= t.ratioMin });
  if (t?.ratioMax !== undefined) checks.push({ what: `≤ ${t.ratioMax}× baseline`, pass: r.ratio <= t.ratioMax });
  if (t?.max !== undefined) checks.push({ what: `≤ ${t.max} ${r.unit}`, pass: sdk <= t.max });
  if (t?.selfOf !== undefined) {
    const own = headline(byId[t.selfOf], 'sdk');
    r.selfRatio = own ? sdk / own : undefined;
    checks.push({ what: `≥ ${t.selfMin}× own ${t.selfOf} (${fmt(r.selfRatio)})`, pass: r.selfRatio >= t.selfMin });
  }
  // Judged only when its reference scenarios ran too (not in a smoke run or a partial `--only`).
  if (t?.linear !== undefined && t.linear.every((id) => byId[id])) {
    // Linear growth means a constant cost per extra subscriber. Each event also has a fixed cost
    // (TLS, framing, parsing: the one-subscriber figure), so per-delivery figures fall with the
    // subscriber count whatever the growth; the check compares marginal costs instead: what each
    // subscriber from 501 to 1,000 adds, against what each from 2 to 500 adds. Growth beyond
    // linear makes the upper slope the larger (k² growth: about 3× in its quadratic part). Both
    // spans are wide, so a 0.1 µs error in one median moves a slope by 0.2 ns (of about 3 ns).
    const [one, mid] = t.linear.map((id) => byId[id]);
    const [k1, kMid, k] = [one, mid, r].map((x) => scenarios.find((s) => s.id === x.id).params.local);
    const [t1, tMid, tk] = [one, mid, r].map((x) => x?.clients.sdk?.usPerEvent?.median * 1000);
    r.nsPerExtraSubscriber = { low: (tMid - t1) / (kMid - k1), high: (tk - tMid) / (k - kMid) };
    r.linearity = r.nsPerExtraSubscriber.high / r.nsPerExtraSubscriber.low;
    const { low, high } = r.nsPerExtraSubscriber;
    checks.push({
      what: `ns per extra subscriber, ${kMid + 1}–${k} ≤ 1.25× ${k1 + 1}–${kMid} (${fmt(high)} vs ${fmt(low)}: ${fmt(r.linearity)})`,
      pass: r.linearity <= 1.25,
    });
  }
  if (t?.importMax !== undefined) {
    const imp = r.clients.sdk?.importMs?.median;
    checks.push({ what: `import ≤ ${t.importMax} ms (${fmt(imp)})`, pass: imp <= t.importMax });
  }
  if (t?.keepAlive !== undefined) {
    const opened = r.clients.sdk?.connectionsOpened?.max;
    checks.push({ what: `keep-alive: ≤ ${t.keepAlive} connections opened (${opened})`, pass: opened <= t.keepAlive });
  }
  if (r.errors.length > 0) checks.push({ what: 'every run completed', pass: false });
  r.checks = checks;
}

// The bundle is measured in full runs and with `--only bundle`; a measurement that fails is an
// error row, not a missing one.
const bundle = smoke || (only && !only.includes('bundle')) ? undefined : (bundleSize() ?? [{ name: 'core (size-limit gave no result)', error: true }]);

// Table.
const rows = [];
rows.push('| scenario | client | median | min–max | other (median) | sdk / baseline | target | result |');
rows.push('|---|---|---:|---:|---|---:|---|---|');
const extras = {
  inbound: ['cpuUsPerEvent'],
  fanout: ['nsPerDelivery', 'cpuUsPerEvent'],
  wsPublish: ['cpuUsPerPublish', 'coldEventsPerSec'],
  httpPublish: ['connectionsOpened'],
  heap: ['withCodeBytesPerSub'],
  connect: ['importMs', 'totalMs'],
  reconnect: ['resubscribedMs'],
};
for (const r of results) {
  const def = scenarios.find((s) => s.id === r.id);
  def.clients.forEach((client, i) => {
    const m = r.clients[client]?.[r.metric];
    const other = (extras[def.kind] ?? []).map((k) => `${k} ${fmt(r.clients[client]?.[k]?.median, k.endsWith('PerSec') ? 'events/s' : undefined)}`).join(', ');
    const last = i === def.clients.length - 1;
    const verdict = profile ? 'profiled' : r.checks.length === 0 ? 'report' : r.checks.every((c) => c.pass) ? 'PASS' : 'MISS';
    rows.push(
      `| ${i === 0 ? `${r.id}: ${r.title}` : ''} | ${client} | ${fmt(m?.median, r.unit)} ${r.unit} | ${fmt(m?.min, r.unit)}–${fmt(m?.max, r.unit)} | ${other} | ${
        last && r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : ''
      } | ${last ? r.checks.map((c) => c.what).join('; ') : ''} | ${last ? (smoke ? (r.errors.length ? 'ERROR' : 'ok (smoke)') : verdict) : ''} |`,
    );
  });
}
if (bundle) {
  for (const b of bundle) {
    rows.push(
      b.error
        ? `| bundle: ${b.name} | sdk | | | | | | ERROR |`
        : `| bundle: ${b.name} | sdk | ${(b.size / 1000).toFixed(2)} kB | | | | ≤ ${(b.sizeLimit / 1000).toFixed(1)} kB | ${b.passed ? 'PASS' : 'MISS'} |`,
    );
  }
}
const table = rows.join('\n');

console.log(`\n${table}\n`);
for (const r of results) {
  const { checks, ...rest } = r;
  console.log(JSON.stringify({ bench: 'appsync-events-rx', smoke, ...rest, checks }));
}
if (bundle) for (const b of bundle) console.log(JSON.stringify({ bench: 'appsync-events-rx', id: 'bundle', ...b }));

if (record) {
  const file = join(here, 'RESULTS.md');
  const header = '# Benchmark results\n\nNewest first. Each section is one full `npm run bench` run (see README.md for what is measured).\n\n';
  const previous = existsSync(file) ? readFileSync(file, 'utf8').replace(header, '') : '';
  const cpus = os.cpus();
  const section = `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — commit ${gitCommit()}\n\nNode ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim()}, ${runs} runs per scenario (connect ≥ 7, reconnect ≥ 9), TLS loopback, emulator in its own process.\n\n${table}\n\n`;
  writeFileSync(file, header + section + previous);
  console.error(`bench: results recorded in bench/RESULTS.md`);
}

if (smoke && failures > 0) process.exit(1);
