import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findPackageRoot, PACKAGE_ROOT } from './root';

describe('findPackageRoot', () => {
  it('finds the checkout from src/app', () => {
    expect(PACKAGE_ROOT).toBe(path.resolve(__dirname, '..', '..'));
  });

  it('finds the same root from the compiled layout (dist/src/llm)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'root-'));
    writeFileSync(path.join(root, 'package.json'), '{}');
    const compiled = path.join(root, 'dist', 'src', 'llm');
    mkdirSync(compiled, { recursive: true });
    expect(findPackageRoot(compiled)).toBe(root);
  });
});
