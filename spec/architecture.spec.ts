/**
 * Keeps the code and ARCHITECTURE.md in agreement: each layer imports only from the layers above it,
 * the emulator is reachable only from the testing and CLI entry points, and the core uses no Node
 * built-ins (it must run in browsers). The browser entry points (`src/index.ts`, `src/http.ts`,
 * `src/iam.ts`, `src/protocol.ts`) belong to the root layer: they re-export from any layer of the
 * core.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const src = join(__dirname, '..', 'src');
// Order of ARCHITECTURE.md's layer table; a file may import from its own layer and the ones before.
const layers = ['protocol', 'auth', 'transport', 'connection', 'operations', 'root', 'testing', 'cli'] as const;
const core = new Set(['protocol', 'auth', 'transport', 'connection', 'operations', 'root']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(path: string): string {
  const rel = relative(src, path);
  return rel.includes('/') ? (rel.split('/')[0] as string) : 'root';
}

function imports(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
}

const all = files(src);

it('finds the source files of every layer', () => {
  expect(new Set(all.map(layerOf))).toEqual(new Set(layers));
});

it('imports only from the same layer or the layers above it (errors.ts is shared)', () => {
  const violations: string[] = [];
  for (const file of all) {
    const from = layerOf(file);
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (relative(src, target) === 'errors' || relative(src, target) === 'rx') continue; // shared by every layer
      const to = layerOf(target + '.ts');
      if (layers.indexOf(to as (typeof layers)[number]) > layers.indexOf(from as (typeof layers)[number])) {
        violations.push(`${relative(src, file)} (${from}) imports ${spec} (${to})`);
      }
    }
  }
  expect(violations).toEqual([]);
});

it('keeps Node built-ins and the emulator out of the core', () => {
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const violations: string[] = [];
  for (const file of all.filter((f) => core.has(layerOf(f)))) {
    for (const spec of imports(file)) {
      if (builtins.has(spec) || spec.startsWith('node:')) violations.push(`${relative(src, file)} imports ${spec}`);
      if (spec.startsWith('.') && layerOf(resolve(dirname(file), spec) + '.ts') === 'testing') violations.push(`${relative(src, file)} imports the emulator`);
      if (spec === 'ws') violations.push(`${relative(src, file)} imports ws directly (use isomorphic-ws)`);
    }
    // Run-time RxJS values come through src/rx.ts (fast import); the barrel is for types only.
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*import\s+(?!type\b)[^'"\n]*from\s+'rxjs'/g)) {
      violations.push(`${relative(src, file)} imports values from the rxjs barrel: ${m[0].trim()}`);
    }
  }
  expect(violations).toEqual([]);
});

/** Bundles `entry` (relative to src/) for the browser, RxJS left external, as an app's bundler would. */
async function browserBundle(entry: string): Promise<{ inputs: string[]; text: string }> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(src, entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    external: ['rxjs', 'rxjs/*'],
    metafile: true,
    logLevel: 'silent',
  });
  return { inputs: Object.keys(result.metafile.inputs), text: result.outputFiles[0]?.text ?? '' };
}

it('keeps HTTP publishing and the protocol toolkit out of the core entry', async () => {
  const { inputs, text } = await browserBundle('index.ts');
  expect(inputs.filter((i) => i.endsWith('src/operations/http-publish.ts') || i.endsWith('src/http.ts') || i.endsWith('src/protocol.ts'))).toEqual([]);
  // What no module of the core uses is tree-shaken, e.g. the HTTP request code and the emulator-side
  // decoder of client frames (preparePublish, by contrast, is shared with the WebSocket publish).
  expect(text).not.toMatch(/function publishOverHttp|function decodeSendMessage/);
});

it.each(['http.ts', 'protocol.ts'])('bundles the %s entry for the browser without any Node built-in', async (entry) => {
  const { inputs } = await browserBundle(entry);
  expect(inputs.filter((i) => i.includes('node_modules/ws/') || i.startsWith('node:'))).toEqual([]);
});

it('bundles for the browser without any Node built-in (isomorphic core)', async () => {
  const { inputs } = await browserBundle('index.ts');
  expect(inputs.filter((i) => i.includes('node_modules/ws/') || i.startsWith('node:'))).toEqual([]);
  // endsWith: a checkout whose node_modules is a symlink resolves to a path outside the project
  expect(inputs.filter((i) => i.endsWith('node_modules/isomorphic-ws/browser.js'))).toHaveLength(1);
});
