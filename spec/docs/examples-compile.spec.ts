/**
 * Docs that compile: every ```ts block in the README and in docs/ is type-checked, as written,
 * against the real public API (`appsync-events-rx…` resolves to `src/`), with the project's strict
 * settings. A renamed option, a changed result type or a missing import in an example fails here.
 *
 * Blocks are fragments of a page: what a page introduces in prose or in an earlier block (`client`,
 * `api`, `httpEndpoint`, a token getter) is declared once, in `CONTEXT` below, and a block that
 * declares or imports the name itself shadows it. Third-party modules the auth guide uses are
 * declared in spec/helpers/example-program.ts, so that no SDK is installed. A block whose first line
 * is a file name (`// averages.ts`) is compiled as that file, which other blocks import (`./averages`).
 * The README's seed examples are also executed (readme.spec.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { THIRD_PARTY_MODULES, exampleProgram } from '../helpers/example-program';

const root = join(__dirname, '..', '..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Block {
  /** `docs/auth.md:102`: the line of the block's first code line. */
  readonly where: string;
  readonly file: string;
  readonly code: string;
}

const blocks: Block[] = pages.flatMap((page) => {
  const text = readFileSync(join(root, page), 'utf8');
  return [...text.matchAll(/^[ \t]*```ts\n([\s\S]*?)^[ \t]*```/gm)].map((m, i) => {
    const line = text.slice(0, m.index).split('\n').length + 1;
    // A block whose first line names a file (`// averages.ts`) is that file: another block imports it as `./averages`.
    const named = /^\/\/ ([\w-]+\.ts)\n/.exec(m[1] as string)?.[1];
    return { where: `${page}:${line}`, file: join(root, '.docs-examples', named ?? `${page.replace(/\W/g, '_')}_${i}.ts`), code: m[1] as string };
  });
});

const CONTEXT = `
import type { AuthProvider, EventsClient } from 'appsync-events-rx';
import type { EventApi } from 'appsync-events-rx/testing';
import type { Subscription } from 'rxjs';
declare global {
  const client: EventsClient;
  const api: EventApi;
  const sub: Subscription;
  const httpEndpoint: string;
  const auth: AuthProvider;
  const session: { currentToken(): Promise<string> };
  const tokenCache: { getIdToken(): string | Promise<string> };
  function getIdToken(): Promise<string>;
  interface Order { readonly id: string }
  function reloadOrders(): void;
  function applyOrderEvent(order: Order): void;
}
`;

function diagnostics(): string[] {
  const contextFile = join(root, '.docs-examples', 'context.d.ts');
  const modulesFile = join(root, '.docs-examples', 'modules.d.ts');
  // `export {}`: a block is a module even without imports (top-level await, names of its own).
  const virtual = new Map<string, string>([[contextFile, CONTEXT], [modulesFile, THIRD_PARTY_MODULES], ...blocks.map((b): [string, string] => [b.file, `${b.code}\nexport {};\n`])]);
  const program = exampleProgram(virtual);
  const byFile = new Map(blocks.map((b) => [b.file, b]));
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const block = d.file && (byFile.get(d.file.fileName) ?? ([contextFile, modulesFile].includes(d.file.fileName) ? { where: 'CONTEXT:1' } : undefined));
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (!d.file || !block || d.start === undefined) return `${d.file?.fileName ?? '?'}: ${message}`;
    const [page, first] = block.where.split(':') as [string, string];
    return `${page}:${Number(first) + d.file.getLineAndCharacterOfPosition(d.start).line}: ${message}`;
  });
}

it('finds the ts blocks of the README and every page of docs/', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(25);
  for (const page of pages) expect(blocks.some((b) => b.where.startsWith(`${page}:`))).toBe(true);
});

it('type-checks every block against the public API', () => {
  expect(diagnostics()).toEqual([]);
}, 60_000);

it('would report a block that uses the API wrongly, at its line in the page', () => {
  const page = blocks.find((b) => b.where.startsWith('docs/getting-started.md:')) as Block;
  const original = page.code;
  (page as { code: string }).code = `${original}client.publish('/default/chat', 'not an array');\n`;
  try {
    const found = diagnostics();
    const line = Number(page.where.split(':')[1]) + original.split('\n').length - 1;
    expect(found).toEqual([expect.stringMatching(new RegExp(`^docs/getting-started\\.md:${line}: Argument of type 'string'`))]);
  } finally {
    (page as { code: string }).code = original;
  }
}, 60_000);
