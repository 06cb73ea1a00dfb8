/**
 * One module for errors: every error class (with its stable code) lives in src/app/errors.ts, nothing under src/
 * or adapters/ throws a bare Error, and there is one `oneLine`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

const files = [...sources('src'), ...sources('adapters')].map((file) => ({
  file,
  text: readFileSync(path.join(root, file), 'utf8'),
}));

function where(pattern: RegExp, except: string[] = []): string[] {
  return files
    .filter(({ file }) => !except.includes(file))
    .flatMap(({ file, text }) =>
      text.split('\n').flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
}

describe('errors have one home', () => {
  it('no bare throw new Error / reject(new Error) in src/ or adapters/', () => {
    expect(where(/(throw|reject\()\s*new Error\(/)).toEqual([]);
  });

  it('every error class is declared in src/app/errors.ts', () => {
    expect(where(/class \w+ extends (Error|ArxivDigestError|HttpError)\b/, ['src/app/errors.ts'])).toEqual([]);
  });

  it('one oneLine', () => {
    expect(where(/function oneLine\b|const oneLine\b/, ['src/app/errors.ts'])).toEqual([]);
  });
});
