/**
 * The public surface stays documented and typed: every name exported from an entry point has TSDoc
 * with an `@example`, and no exported declaration mentions `any`.
 */
import ts from 'typescript';
import { publicExports } from '../helpers/public-api';

function publicDeclarations(): { entry: string; name: string; declarations: readonly ts.Declaration[] }[] {
  return publicExports().exports;
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
