#!/usr/bin/env node
'use strict';
/**
 * Completes package-lock.json with the platform-specific optional packages (biome, swc, unrs-resolver bindings for
 * other operating systems) that a registry mirror without them cannot resolve, so `npm ci` stays in sync on every
 * machine. Each entry gets the os/cpu/libc its name states, so npm skips it on other platforms exactly as it does
 * with a lock written against the public registry. Run after changing dependencies:
 *   npm install && node scripts/complete-lockfile.js
 */
const fs = require('node:fs');
const path = require('node:path');

const file = path.resolve(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const OS = ['android', 'darwin', 'freebsd', 'linux', 'win32', 'openharmony', 'netbsd', 'openbsd', 'sunos', 'aix'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32', 'mips64el'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  let cpu = parts.find((p) => CPU.includes(p));
  if (!cpu && parts.includes('arm')) cpu = 'arm';
  const libc = parts.some((p) => p.startsWith('musl'))
    ? 'musl'
    : parts.some((p) => p === 'gnu' || p.startsWith('gnueabi'))
      ? 'glibc'
      : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies || {})) {
    const target = `node_modules/${dep}`;
    if (lock.packages[target] || lock.packages[`${key}/${target}`]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os || !cpu) continue;
    const entry = { version, optional: true, os: [os], cpu: [cpu] };
    if (libc) entry.libc = [libc];
    if (pkg.dev) entry.dev = true;
    lock.packages[target] = entry;
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`complete-lockfile: added ${added} optional platform entries\n`);
