/**
 * Settings are read once: the environment is parsed at the composition root (src/cli/, src/bot.ts) into typed
 * settings (src/config/settings.ts), and each adapter reads its own variables in its own config.ts. Nothing else
 * under src/ or adapters/ reads `process.env` or a variable of an environment.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

/** Where reading the environment is the file's job. */
const READERS = [
  /^src\/cli\//,
  /^src\/bot\.ts$/,
  /^src\/config\/settings\.ts$/,
  /^adapters\/[^/]+\/config\.ts$/,
  // The environment a context is built from when a test gives none.
  /^src\/context\/index\.ts$/,
  // envUrl: the helper an adapter's config.ts reads its base URL with.
  /^src\/chat\/platform\.ts$/,
];

const READ = /\bprocess\.env\b|\benv\.[A-Z][A-Z0-9_]*\b|\benv\[/;

test('only the composition root, the settings and the adapters’ config.ts read the environment', () => {
  const found = [...sources('src'), ...sources('adapters')]
    .filter((file) => !READERS.some((r) => r.test(file)))
    .flatMap((file) =>
      readFileSync(path.join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          READ.test(line) && !/^\s*(\/\/|\*)/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
  expect(found).toEqual([]);
});
