/**
 * The package's root directory (where package.json, prompts/ and config/ are), the same whether this code runs as
 * TypeScript from src/ (tsx, jest) or compiled from dist/src/ (the build): the nearest directory up from here that
 * holds a package.json.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ArxivDigestError, ErrorCode } from './errors';

export function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new ArxivDigestError(ErrorCode.Internal, `no package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);
