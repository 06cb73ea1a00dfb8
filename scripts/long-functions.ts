/**
 * Lists the functions of `src/` and `adapters/` (tests excluded) longer than a number of lines (default 100),
 * longest first, nested functions and closures counted on their own too: `node bin/run-ts.js
 * scripts/long-functions.ts [lines]`. The house rule is under 100 lines per function.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function nameOf(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  return '(anonymous)';
}

export function longFunctions(limit: number): Array<{ file: string; name: string; lines: number; line: number }> {
  const found: Array<{ file: string; name: string; lines: number; line: number }> = [];
  for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'adapters'))]) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        if (end - start + 1 > limit)
          found.push({ file: relative(ROOT, file), name: nameOf(node), lines: end - start + 1, line: start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found.sort((a, b) => b.lines - a.lines);
}

if (process.argv[1]?.endsWith('long-functions.ts')) {
  const limit = Number(process.argv[2] ?? 100);
  for (const f of longFunctions(limit)) console.log(`${String(f.lines).padStart(4)}  ${f.file}:${f.line}  ${f.name}`);
}
