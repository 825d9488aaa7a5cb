/** The public entry points, compiled once, for the tests that check the public surface. */
import { join } from 'node:path';
import ts from 'typescript';

export const root = join(__dirname, '..', '..');

/** Entry point name → source file. */
export const entryPoints: Readonly<Record<string, string>> = {
  'appsync-events-rx': 'src/index.ts',
  'appsync-events-rx/testing': 'src/testing/index.ts',
  'appsync-events-rx/iam': 'src/iam.ts',
  'appsync-events-rx/http': 'src/http.ts',
  'appsync-events-rx/protocol': 'src/protocol.ts',
};

/** One exported name of one entry point, resolved through re-exports. */
export interface PublicExport {
  readonly entry: string;
  readonly name: string;
  readonly symbol: ts.Symbol;
  readonly declarations: readonly ts.Declaration[];
}

/** Compiles the entry points and lists their exports (with the checker, to inspect types). */
export function publicExports(): { checker: ts.TypeChecker; exports: PublicExport[] } {
  const files = Object.values(entryPoints).map((f) => join(root, f));
  const program = ts.createProgram(files, {
    strict: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2020,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  // (not named `exports`: that would shadow CommonJS's own `exports` once transpiled)
  const found: PublicExport[] = [];
  for (const [entry, file] of Object.entries(entryPoints)) {
    const source = program.getSourceFile(join(root, file));
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`cannot read ${file}`);
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      found.push({ entry, name: exported.name, symbol, declarations: symbol.getDeclarations() ?? [] });
    }
  }
  return { checker, exports: found };
}
