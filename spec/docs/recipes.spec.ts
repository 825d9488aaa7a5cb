/**
 * Docs that run: the blocks of docs/recipes.md, as written. The marble test (`averages.spec.ts`)
 * is registered as a test of this suite; the Node service (`main.ts`, with `averages.ts`) runs
 * against the emulator with a stand-in `process` (its environment, `SIGTERM`). The Angular service
 * is only type-checked (examples-compile.spec.ts): Angular is not installed.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filter, firstValueFrom, ReplaySubject, scan } from 'rxjs';
import ts from 'typescript';
import { createEventsClient, type EventsClient } from '../../src';
import { startEventApi, type EventApi } from '../../src/testing';

const root = join(__dirname, '..', '..');
const tap = <T>(value: T, f: (v: T) => void): T => (f(value), value);
const page = readFileSync(join(root, 'docs/recipes.md'), 'utf8');

/** The page's blocks that name their file on their first line (`// averages.ts`). */
const files = new Map([...page.matchAll(/^```ts\n\/\/ ([\w.-]+\.ts)\n([\s\S]*?)^```/gm)].map((m) => [m[1] as string, m[2] as string]));

interface Globals {
  readonly process?: unknown;
  readonly console?: Pick<Console, 'info' | 'warn' | 'error'>;
  /** Gets each client the block creates. */
  readonly onClient?: (client: EventsClient) => void;
}

/** Compiles a block to CommonJS and runs it; the SDK's entry points resolve to src/, `./x` to the page's block `x.ts`. */
function load(name: string, globals: Globals = {}, cache = new Map<string, unknown>()): Record<string, unknown> {
  const code = files.get(name);
  if (code === undefined) throw new Error(`docs/recipes.md has no block named ${name}`);
  const { outputText, diagnostics } = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    reportDiagnostics: true,
  });
  expect((diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  const requireFor = (id: string): unknown => {
    if (id.startsWith('./')) {
      const file = `${id.slice(2)}.ts`;
      if (!cache.has(file)) cache.set(file, load(file, globals, cache));
      return cache.get(file);
    }
    const sdk = /^appsync-events-rx(?:\/(testing|http|iam|protocol))?$/.exec(id);
    const module = require(sdk ? join(root, 'src', sdk[1] ?? '') : id) as Record<string, unknown>;
    const { onClient } = globals;
    if (id !== 'appsync-events-rx' || !onClient) return module;
    const create = module.createEventsClient as typeof createEventsClient;
    return { ...module, createEventsClient: (config: Parameters<typeof create>[0]) => tap(create(config), onClient) };
  };
  const exports: Record<string, unknown> = {};
  new Function('require', 'exports', 'process', 'console', 'it', 'expect', outputText)(requireFor, exports, globals.process ?? process, globals.console ?? console, it, expect);
  return exports;
}

it('finds the named blocks of the page', () => {
  expect([...files.keys()]).toEqual(['chat.service.ts', 'averages.ts', 'main.ts', 'averages.spec.ts']);
});

// Registers the page's own marble test (`it(...)` at the top level of the block).
describe('docs/recipes.md: averages.spec.ts', () => {
  load('averages.spec.ts');
});

describe('docs/recipes.md: the Node service (main.ts) against the emulator', () => {
  let api: EventApi;
  let watcher: EventsClient;
  /** The clients the block created: closed after the test too, so that a failed test leaves nothing running. */
  const clients: EventsClient[] = [];
  beforeEach(async () => {
    api = await startEventApi();
    watcher = createEventsClient(api.clientConfig);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    watcher.close();
    await api.close();
  });

  it('publishes the averages it read, and on SIGTERM drains, unsubscribes, closes the client and lets go of the process', async () => {
    type Average = { sensor: string; mean: number; n: number };
    const averages = new ReplaySubject<Average>();
    watcher.subscribe<Average>('/default/averages').subscribe(averages);
    await firstValueFrom(watcher.subscribed$);

    const fakeProcess = Object.assign(new EventEmitter(), {
      env: { APPSYNC_HTTP_ENDPOINT: api.httpEndpoint, APPSYNC_API_KEY: api.apiKey, AVERAGE_WINDOW_MS: '50' },
      exitCode: undefined as number | undefined,
    });
    const logged: unknown[][] = [];
    const live = firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'out' && t.type === 'subscribe_success')));
    const drained = new Promise<void>((resolve) => {
      const log =
        (level: string) =>
        (...args: unknown[]) => {
          logged.push([level, ...args]);
          if (args[0] === 'averages: drained') resolve();
        };
      load('main.ts', { process: fakeProcess, console: { info: log('info'), warn: log('warn'), error: log('error') }, onClient: (c) => clients.push(c) });
    });
    await live; // the service's subscription to /default/sensors/*

    await api.publish('/default/sensors/t1', [{ sensor: 't1', value: 1 }, { sensor: 't1', value: 3 }]);
    await api.publish('/default/sensors/t2', [{ sensor: 't2', value: 10 }, { sensor: 't2', value: null }, 'noise']);
    // Windows may split the readings: what each sensor's averages stand for is compared, in total.
    const count = (all: readonly Average[], sensor: string) => all.filter((a) => a.sensor === sensor).reduce((k, a) => k + a.n, 0);
    const got = await firstValueFrom(
      averages.pipe(
        scan((all: Average[], a) => [...all, a], []),
        filter((all) => count(all, 't1') >= 2 && count(all, 't2') >= 1),
      ),
    );
    const total = (sensor: string) => got.filter((a) => a.sensor === sensor).reduce((sum, a) => sum + a.mean * a.n, 0);
    expect([count(got, 't1'), total('t1'), count(got, 't2'), total('t2')]).toEqual([2, 4, 1, 10]);

    const unsubscribed = firstValueFrom(api.traffic$.pipe(filter((t) => t.direction === 'in' && t.type === 'unsubscribe')));
    fakeProcess.emit('SIGTERM');
    await drained;
    await unsubscribed;
    expect(logged).toEqual([['info', 'averages: drained']]);
    expect(clients.map((c) => c.toJSON().status)).toEqual(['closed']);
    expect(fakeProcess.exitCode).toBeUndefined();
    expect([fakeProcess.listenerCount('SIGTERM'), fakeProcess.listenerCount('SIGINT')]).toEqual([0, 0]);
  });
});
