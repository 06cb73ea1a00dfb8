'use strict';
// One-off codemod of this round (house, issue 24): re-run after merging a branch that still imports the old path;
// delete once every branch is merged.
// Renames the assembled product's type App (src/jobs/app.ts) to Assembly (src/jobs/assembly.ts) in every file that
// imports it (run from the repo root after `git mv src/jobs/app.ts src/jobs/assembly.ts`). bolt's App is untouched.
const fs = require('node:fs');
const path = require('node:path');
const ROOT = process.cwd();
const OLD = path.join(ROOT, 'src/jobs/app');
const walk = (d) =>
  fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(p);
    return /\.ts$/.test(e.name) ? [p] : [];
  });
let n = 0;
for (const file of ['src', 'adapters', 'test', 'bench', 'scripts'].flatMap((d) => walk(path.join(ROOT, d)))) {
  const text = fs.readFileSync(file, 'utf8');
  let imports = false;
  let out = text.replace(/(['"])(\.{1,2}\/[^'"]*)\1/g, (m, q, spec) => {
    if (path.resolve(path.dirname(file), spec) !== OLD) return m;
    imports = true;
    return `${q}${spec.replace(/app$/, 'assembly')}${q}`;
  });
  if (!imports && path.resolve(file) !== `${OLD}.ts`) continue;
  out = out.replace(/\bApp\b/g, 'Assembly');
  if (out !== text) {
    fs.writeFileSync(file, out);
    n++;
  }
}
console.log(`renamed App in ${n} files`);
