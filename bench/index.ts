/**
 * `npm run bench`: runs every bench/*.bench.ts (each exports `run(): Promise<Record<string, number | string>>`)
 * against local servers only, and prints its figures. Performance is measured here, never in timed unit tests.
 * `npm run bench -- digest` runs the benches whose file name contains "digest".
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

type Figures = Record<string, number | string>;

async function main(): Promise<void> {
  process.env.NODE_ENV ??= 'bench';
  process.env.LOG_LEVEL ??= 'silent';
  const filter = process.argv[2];
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => !filter || f.includes(filter))
    .sort();
  const all: Record<string, Figures> = {};
  let failed = false;
  for (const file of files) {
    const name = file.replace(/\.bench\.ts$/, '');
    process.stderr.write(`bench ${name}: running\n`);
    try {
      // require: tsx's CommonJS hook compiles .ts; a dynamic import() would take the ESM path and refuse .ts.
      const mod = require(path.join(__dirname, file)) as { run: () => Promise<Figures> };
      const figures = await mod.run();
      all[name] = figures;
      process.stdout.write(`\n## ${name}\n`);
      const width = Math.max(...Object.keys(figures).map((k) => k.length));
      for (const [k, v] of Object.entries(figures)) {
        process.stdout.write(
          `${k.padEnd(width)}  ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(2)) : v}\n`,
        );
      }
    } catch (err) {
      failed = true;
      process.stdout.write(
        `\n## ${name}\nFAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
    }
  }
  process.stdout.write(`\n${JSON.stringify(all)}\n`);
  process.exit(failed ? 1 : 0);
}

void main();
