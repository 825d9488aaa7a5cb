/**
 * The public surface stays documented and typed: every name exported from an entry point has TSDoc
 * with an `@example`, and no exported declaration mentions `any`.
 */
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..', '..');
const entries = ['src/index.ts', 'src/testing/index.ts', 'src/iam.ts'].map((f) => join(root, f));

function publicDeclarations(): { entry: string; name: string; declarations: ts.Declaration[] }[] {
  const program = ts.createProgram(entries, {
    strict: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2020,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const out: { entry: string; name: string; declarations: ts.Declaration[] }[] = [];
  for (const entry of entries) {
    const file = program.getSourceFile(entry);
    const module = file && checker.getSymbolAtLocation(file);
    if (!module) throw new Error(`cannot read ${entry}`);
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      out.push({ entry: entry.slice(root.length + 1), name: exported.name, declarations: symbol.getDeclarations() ?? [] });
    }
  }
  return out;
}

function hasExample(declaration: ts.Declaration): boolean {
  const nodes: ts.Node[] = [declaration];
  if (ts.isVariableDeclaration(declaration)) nodes.push(declaration.parent.parent);
  return nodes.some((n) => ts.getJSDocTags(n).some((tag) => tag.tagName.text === 'example'));
}

const declarations = publicDeclarations();

it('finds the public exports', () => {
  expect(declarations.length).toBeGreaterThan(100);
  expect(declarations.map((d) => d.name)).toEqual(expect.arrayContaining(['createEventsClient', 'startEventApi', 'iamAuth']));
});

it('documents every export with an @example', () => {
  const undocumented = declarations.filter((d) => !d.declarations.some(hasExample)).map((d) => `${d.entry}: ${d.name}`);
  expect(undocumented).toEqual([]);
});

it('never uses `any` in an exported declaration', () => {
  const withAny = declarations
    .filter((d) => d.declarations.some((decl) => /\bany\b/.test(decl.getText().replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, ''))))
    .map((d) => `${d.entry}: ${d.name}`);
  expect(withAny).toEqual([]);
});
