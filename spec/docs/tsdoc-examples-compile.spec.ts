/**
 * TSDoc that compiles: every ```ts block inside an `@example` of the public API (the declarations
 * exported from the entry points, their members, and the entry points' own TSDoc) is type-checked,
 * as written, against the real public API (`appsync-events-rx…` resolves to `src/`), with the
 * project's strict settings — the same check as examples-compile.spec.ts does for README.md and
 * docs/. A renamed option, a wrong argument shape or a missing import in an example fails here.
 *
 * Blocks are fragments: the names an example takes for granted (`client`, `api`, `config`…) are
 * declared once, in `CONTEXT` below, with the public type they stand for; a block that declares or
 * imports the name itself shadows it. An example that is not TypeScript is written in a `text` (or
 * `sh`) fence, which is not extracted; inline `code` after `@example` is not extracted either.
 * Internal (non-exported) declarations are out of scope.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { THIRD_PARTY_MODULES, exampleProgram } from '../helpers/example-program';
import { entryPoints, publicExports, root } from '../helpers/public-api';

interface Block {
  /** `src/errors.ts:57`: the source line of the block's first code line. */
  readonly where: string;
  /** The documented export, for messages: `appsync-events-rx/iam: iamAuth`. */
  readonly owner: string;
  readonly file: string;
  readonly code: string;
}

/** The JSDoc comments of a public declaration: its own (a variable's sits on its statement) and its members'. */
function jsDocsOf(declaration: ts.Node): ts.JSDoc[] {
  const found = new Set(ts.getJSDocCommentsAndTags(declaration).filter(ts.isJSDoc));
  const members = (node: ts.Node): void => {
    // A member's own comments only: for a nested node, getJSDocCommentsAndTags also climbs to its host's.
    for (const doc of ts.getJSDocCommentsAndTags(node)) if (ts.isJSDoc(doc) && doc.parent === node) found.add(doc);
    ts.forEachChild(node, members);
  };
  ts.forEachChild(declaration, members);
  return [...found];
}

/** Fences of other languages in public examples (`src/x.ts:12 text`): not checked, so only `text` and `sh` are allowed. */
const otherFences: string[] = [];

/** The ```ts blocks of the `@example` tags of one comment, with the source line of each block's first code line. */
function examplesOf(doc: ts.JSDoc): { line: number; code: string }[] {
  const source = doc.getSourceFile();
  const path = relative(root, source.fileName);
  return (doc.tags ?? [])
    .filter((tag) => tag.tagName.text === 'example')
    .flatMap((tag) => {
      const first = source.getLineAndCharacterOfPosition(tag.getStart(source)).line + 1;
      // The tag's text up to the next tag or the end of the comment, without the leading ` * `.
      const lines = source.text
        .slice(tag.getStart(source), tag.end)
        .replace(/\s*\*\/\s*$/, '')
        .split('\n')
        .map((l) => l.replace(/^[ \t]*\* ?/, ''));
      const blocks: { line: number; code: string }[] = [];
      let open: number | undefined;
      let language = '';
      lines.forEach((l, i) => {
        const fence = /^```(\S*)\s*$/.exec(l);
        if (!fence) return;
        if (open === undefined) {
          [open, language] = [i + 1, fence[1] as string];
          if (language !== 'ts') otherFences.push(`${path}:${first + i} ${language || '(none)'}`);
        } else if (fence[1] === '') {
          if (language === 'ts') blocks.push({ line: first + open, code: `${lines.slice(open, i).join('\n')}\n` });
          open = undefined;
        }
      });
      if (open !== undefined) throw new Error(`unterminated code block at ${path}:${first + open - 1}`);
      return blocks;
    });
}

function extract(): Block[] {
  const { exports } = publicExports();
  // `file:offset` of the comments seen: a declaration exported from two entries (or under two names),
  // or declared in an entry point (read twice, see below), is checked once.
  const seen = new Set<string>();
  const blocks: Block[] = [];
  const add = (owner: string, docs: readonly ts.JSDoc[]): void => {
    for (const doc of docs) {
      const path = relative(root, doc.getSourceFile().fileName);
      if (seen.has(`${path}:${doc.pos}`)) continue;
      seen.add(`${path}:${doc.pos}`);
      for (const { line, code } of examplesOf(doc)) {
        const file = join(root, '.tsdoc-examples', `${path.replace(/\W/g, '_')}_${line}.ts`);
        blocks.push({ where: `${path}:${line}`, owner, file, code });
      }
    }
  };
  for (const { entry, name, declarations } of exports) for (const d of declarations) add(`${entry}: ${name}`, jsDocsOf(d));
  // The entry points' own TSDoc (a comment on an export statement, e.g. the one of `appsync-events-rx/testing`).
  for (const [entry, path] of Object.entries(entryPoints)) {
    const file = join(root, path);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) add(entry, jsDocsOf(statement).filter((doc) => doc.parent === statement));
  }
  return blocks;
}

const blocks = extract();

/**
 * The names examples take for granted, each with the public type it stands for: `client` (made by
 * `createEventsClient`), `config` (its config), `httpEndpoint` and `auth` (two fields of it), `api`
 * (a running emulator), and `session`, the application's own sign-in session (all an example needs
 * of it: a token getter).
 */
const CONTEXT = `
import type { AuthProvider, EventsClient, EventsClientConfig } from 'appsync-events-rx';
import type { EventApi } from 'appsync-events-rx/testing';
declare global {
  const client: EventsClient;
  const config: EventsClientConfig;
  const httpEndpoint: string;
  const auth: AuthProvider;
  const api: EventApi;
  const session: { currentToken(): Promise<string> };
}
`;

/**
 * Window properties (lib.dom) that a fragment captures by accident when it forgets to declare a
 * name of its own: `[event]` compiles against the deprecated `window.event`, `frames` is the window.
 */
const ACCIDENTAL_DOM_GLOBALS = new Set(['event', 'name', 'frames', 'status', 'length', 'origin', 'parent', 'self', 'top', 'closed', 'opener', 'close', 'open', 'stop']);

/** Identifiers of a block that resolve to one of those Window properties. */
function accidentalGlobals(source: ts.SourceFile, checker: ts.TypeChecker): { start: number; name: string }[] {
  const found: { start: number; name: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && ACCIDENTAL_DOM_GLOBALS.has(node.text)) {
      const declarations = checker.getSymbolAtLocation(node)?.getDeclarations() ?? [];
      const isWindowProperty = (d: ts.Declaration): boolean =>
        (ts.isVariableDeclaration(d) || ts.isFunctionDeclaration(d)) && /[\\/]lib\.dom\.d\.ts$/.test(d.getSourceFile().fileName);
      if (declarations.length > 0 && declarations.every(isWindowProperty)) found.push({ start: node.getStart(source), name: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function diagnostics(): string[] {
  const contextFile = join(root, '.tsdoc-examples', 'context.d.ts');
  const modulesFile = join(root, '.tsdoc-examples', 'modules.d.ts');
  // `export {}`: a block is a module even without imports (top-level await, names of its own).
  const virtual = new Map<string, string>([[contextFile, CONTEXT], [modulesFile, THIRD_PARTY_MODULES], ...blocks.map((b): [string, string] => [b.file, `${b.code}export {};\n`])]);
  const program = exampleProgram(virtual);
  const byFile = new Map(blocks.map((b) => [b.file, b]));
  const at = (file: ts.SourceFile, start: number, message: string): string => {
    const line = file.getLineAndCharacterOfPosition(start).line;
    const block = byFile.get(file.fileName);
    if (!block) return `${relative(root, file.fileName)}:${line + 1}: ${message}`;
    const [path, first] = block.where.split(':') as [string, string];
    return `${path}:${Number(first) + line}: ${message}`;
  };
  const checker = program.getTypeChecker();
  return [
    // The examples' own diagnostics (and the configuration's): src/ itself is type-checked by tsc.
    ...[
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...[...virtual.keys()].flatMap((f) => {
        const source = program.getSourceFile(f) as ts.SourceFile;
        return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
      }),
    ].map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      return d.file && d.start !== undefined ? at(d.file, d.start, message) : `?: ${message}`;
    }),
    ...blocks.flatMap((b) => {
      const source = program.getSourceFile(b.file) as ts.SourceFile;
      return accidentalGlobals(source, checker).map(({ start, name }) => at(source, start, `'${name}' is the DOM's window.${name} here: declare it in the example`));
    }),
  ];
}

it('finds the ts blocks of the public TSDoc examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(130);
  expect(blocks.map((b) => b.owner)).toEqual(expect.arrayContaining(['appsync-events-rx: createEventsClient', 'appsync-events-rx/iam: iamAuth', 'appsync-events-rx/testing']));
  expect(new Set(blocks.map((b) => b.where)).size).toBe(blocks.length);
  // A block in another language escapes the check: only the explicit non-TypeScript ones may.
  expect(otherFences.filter((f) => !/ (text|sh)$/.test(f))).toEqual([]);
});

it('type-checks every public example against the public API', () => {
  expect(diagnostics()).toEqual([]);
}, 60_000);

/** Appends a line to an example (where its closing fence is in the source) and returns the diagnostics then. */
function diagnosticsWith(owner: string, line: string): { found: string[]; where: string } {
  const block = blocks.find((b) => b.owner === owner) as Block;
  const original = block.code;
  const [path, first] = block.where.split(':') as [string, string];
  // The appended line stands where the block's closing fence is in the source file.
  const fence = readFileSync(join(root, path), 'utf8').split('\n').findIndex((l, i) => i >= Number(first) && /^\s*\*\s*```\s*$/.test(l)) + 1;
  (block as { code: string }).code = `${original}${line}\n`;
  try {
    return { found: diagnostics(), where: `${path}:${fence}` };
  } finally {
    (block as { code: string }).code = original;
  }
}

it('would report an example that uses the API wrongly, at its line in the source file', () => {
  const { found, where } = diagnosticsWith('appsync-events-rx: createEventsClient', "client.publish('/default/chat', 'not an array');");
  expect(where).toMatch(/^src\/client\.ts:\d+$/);
  expect(found).toEqual([`${where}: Argument of type 'string' is not assignable to parameter of type 'readonly unknown[]'.`]);
}, 60_000);

it('would report an example that captures a DOM global instead of declaring its own name', () => {
  const { found, where } = diagnosticsWith('appsync-events-rx: createEventsClient', "client.publish('/default/chat', [event]).subscribe();");
  expect(found).toEqual([`${where}: 'event' is the DOM's window.event here: declare it in the example`]);
}, 60_000);
