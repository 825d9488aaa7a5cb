/**
 * Docs that run: the README's "seed's three examples" block is extracted, compiled and executed
 * against the emulator, and what it prints must match the outputs its comments promise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..', '..');

function codeBlockAfter(markdown: string, heading: string): string {
  const start = markdown.indexOf(heading);
  if (start < 0) throw new Error(`heading not found: ${heading}`);
  const match = /```ts\n([\s\S]*?)```/.exec(markdown.slice(start));
  if (!match) throw new Error(`no ts block after ${heading}`);
  return match[1] as string;
}

async function run(source: string): Promise<unknown[][]> {
  const imports: string[] = [];
  const body: string[] = [];
  for (const line of source.split('\n')) (line.startsWith('import ') ? imports : body).push(line);
  const wrapped = `${imports
    .join('\n')
    .replace(/'appsync-events-rx\/testing'/g, JSON.stringify(join(root, 'src/testing')))
    .replace(/'appsync-events-rx\/(http|iam|protocol)'/g, (_, entry: string) => JSON.stringify(join(root, 'src', entry)))
    .replace(/'appsync-events-rx'/g, JSON.stringify(join(root, 'src')))}\nexport async function main(console: { log: (...a: unknown[]) => void }) {\n${body.join('\n')}\n}\n`;
  const { outputText, diagnostics } = ts.transpileModule(wrapped, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
    reportDiagnostics: true,
  });
  expect((diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  const exports: { main?: (c: { log: (...a: unknown[]) => void }) => Promise<void> } = {};
  new Function('require', 'exports', outputText)(require, exports);
  const logged: unknown[][] = [];
  await exports.main?.({ log: (...args: unknown[]) => logged.push(args) });
  return logged;
}

it("runs the README's seed examples and prints what their comments say", async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const logged = await run(codeBlockAfter(readme, "## The seed's three examples"));
  expect(logged).toEqual([[[0, 1]], ['eventa'], ['channel is unsubscribed']]);
});
