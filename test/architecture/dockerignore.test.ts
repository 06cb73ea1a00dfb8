/** The image carries the product only: no test, fake, fixture or benchmark is sent to the Docker build. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

test('.dockerignore keeps tests, fakes, fixtures and benchmarks out of the image', () => {
  expect(ignored).toEqual(expect.arrayContaining(['test', 'bench', '**/*.test.ts', 'node_modules', '.env']));
});
