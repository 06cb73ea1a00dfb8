'use strict';
// One-off codemod of this round (house, issue 24): re-run after merging a branch that still imports the old path;
// delete once every branch is merged.
// Rewrites every relative import of src/app/context to src/context (run from the repo root, then git mv).
const fs = require('node:fs');
const path = require('node:path');
const ROOT = process.cwd();
const OLD = path.join(ROOT, 'src/app/context');
const NEW = path.join(ROOT, 'src/context');
const walk = (d) =>
  fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(p);
    return /\.ts$/.test(e.name) ? [p] : [];
  });
let n = 0;
for (const file of ['src', 'adapters', 'test', 'bench', 'scripts'].flatMap((d) => walk(path.join(ROOT, d)))) {
  const text = fs.readFileSync(file, 'utf8');
  const out = text.replace(/(['"])(\.{1,2}\/[^'"]*)\1/g, (m, q, spec) => {
    if (path.resolve(path.dirname(file), spec) !== OLD) return m;
    let rel = path.relative(path.dirname(file), NEW);
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `${q}${rel}${q}`;
  });
  if (out !== text) {
    fs.writeFileSync(file, out);
    n++;
  }
}
console.log(`rewrote imports in ${n} files`);
