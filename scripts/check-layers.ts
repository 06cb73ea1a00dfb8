/**
 * The house rules, checked on every test run (test/architecture/layers.test.ts) and by `npm run check:layers`:
 * imports run only downwards through the layers below, no module cycle, and nothing under `src/` but the
 * composition root (`src/cli/`, `src/bot.ts`) imports `adapters/`. Imports are read as text (static `import`,
 * `export … from`, `import()` and `require()` of relative paths), tests excluded.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Highest first. A module may import its own layer (no cycle) or any lower one. */
export const LAYERS: Array<{ name: string; paths: string[] }> = [
  { name: 'composition root', paths: ['src/cli/', 'src/bot.ts'] },
  { name: 'runtime', paths: ['src/scheduler/', 'src/server/', 'src/interactions/'] },
  { name: 'jobs', paths: ['src/jobs/'] },
  {
    name: 'features',
    paths: [
      'src/pipeline/',
      'src/votes/',
      'src/profile/',
      'src/commands/',
      'src/follows/',
      'src/versions/',
      'src/ask/',
      'src/library/',
    ],
  },
  { name: 'services', paths: ['src/arxiv/', 'src/llm/', 'src/chat/', 'src/archive/'] },
  { name: 'context', paths: ['src/context/'] },
  { name: 'infrastructure', paths: ['src/store/', 'src/http/', 'src/config/'] },
  { name: 'basics', paths: ['src/app/'] },
];

export interface Violation {
  from: string;
  to: string;
  why: string;
}

function layerOf(file: string): number {
  return LAYERS.findIndex((layer) => layer.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
}

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(join(root, d))) {
      const rel = `${d}/${name}`;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (/\.ts$/.test(name) && !/\.test\.ts$/.test(name)) out.push(rel);
    }
  };
  walk(dir);
  return out;
}

function resolveImport(root: string, from: string, spec: string): string | undefined {
  const base = relative(root, resolve(root, dirname(from), spec));
  for (const c of [base, `${base}.ts`, `${base}/index.ts`]) {
    try {
      if (statSync(join(root, c)).isFile()) return c;
    } catch {
      /* next candidate */
    }
  }
  return undefined;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

export function importsOf(root: string, file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out = new Set<string>();
  for (const m of text.matchAll(IMPORT)) {
    const target = m[1] ? resolveImport(root, file, m[1]) : undefined;
    if (target) out.add(target);
  }
  return [...out];
}

export function checkLayers(root: string): Violation[] {
  const files = [...sourceFiles(root, 'src'), ...sourceFiles(root, 'adapters')];
  const graph = new Map<string, string[]>();
  const violations: Violation[] = [];
  for (const file of files) {
    const deps = importsOf(root, file).filter((d) => d.startsWith('src/') || d.startsWith('adapters/'));
    graph.set(file, deps);
    const from = layerOf(file);
    for (const dep of deps) {
      if (file.startsWith('src/') && dep.startsWith('adapters/') && from !== 0) {
        violations.push({
          from: file,
          to: dep,
          why: 'only the composition root (src/cli, src/bot.ts) imports adapters/',
        });
        continue;
      }
      if (file.startsWith('src/') && !dep.startsWith('src/')) continue;
      if (file.startsWith('adapters/')) {
        const platform = file.split('/')[1];
        if (dep.startsWith('adapters/') && dep.split('/')[1] !== platform)
          violations.push({ from: file, to: dep, why: 'an adapter folder imports no other adapter' });
        if (dep.startsWith('src/') && layerOf(dep) <= 2)
          violations.push({
            from: file,
            to: dep,
            why: `adapters use the core below the jobs layer, not ${LAYERS[layerOf(dep)]?.name}`,
          });
        continue;
      }
      const to = layerOf(dep);
      if (from < 0)
        violations.push({ from: file, to: dep, why: 'the importing file is in no layer (add its folder to LAYERS)' });
      else if (to < from)
        violations.push({
          from: file,
          to: dep,
          why: `${LAYERS[from]?.name} imports the higher layer ${LAYERS[to]?.name}`,
        });
    }
  }
  // Cycles: depth-first search over the whole graph.
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const dep of graph.get(node) ?? []) {
      if (state.get(dep) === 'open') {
        const cycle = stack.slice(stack.indexOf(dep));
        violations.push({ from: node, to: dep, why: `cycle: ${[...cycle, dep].join(' -> ')}` });
      } else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return violations;
}

if (process.argv[1] && resolve(process.argv[1]) === __filename) {
  const violations = checkLayers(resolve(__dirname, '..'));
  for (const v of violations) process.stderr.write(`${v.from} -> ${v.to}: ${v.why}\n`);
  process.stdout.write(violations.length ? `${violations.length} layer violations\n` : 'layers: ok\n');
  process.exitCode = violations.length ? 1 : 0;
}
