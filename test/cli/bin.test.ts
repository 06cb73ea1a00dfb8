/** The installed binary, as a user runs it after `npm ci`: a real process against a local arXiv (dist/ when it matches the sources, else tsx). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { spawnBin } from '../helpers/spawn-bin';

const run = (args: string[], env: NodeJS.ProcessEnv, cwd: string) =>
  spawnBin(args, { env: { PATH: process.env.PATH, ...env }, cwd });

describe('bin/arxiv-digest.js', () => {
  let arxiv: ArxivServer;
  let cwd: string;
  beforeAll(async () => {
    arxiv = await startSeedArxiv();
    cwd = mkdtempSync(path.join(tmpdir(), 'bin-'));
  });
  afterAll(() => arxiv.close());

  it('digest --dry-run prints the digest with nothing configured', async () => {
    const r = await run(
      ['digest', '--dry-run'],
      { ARXIV_RSS_URL: arxiv.rssUrl, ARXIV_API_URL: arxiv.apiUrl, ARXIV_WEB_URL: arxiv.webUrl },
      cwd,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Total papers: 58 , Selected papers: 5');
    expect(r.stderr).toMatch(/cs-CL: 58 papers, 5 selected/); // progress on stderr, plain lines off a terminal
  });

  it('a malformed id exits 2 with one line on stderr', async () => {
    const r = await run(['critique', '25.10.26707'], {}, cwd);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'arxiv-digest: not an arXiv id: "25.10.26707" (expected e.g. 2510.26707, 2510.26707v2, hep-th/9901001 or https://arxiv.org/abs/2510.26707)',
    ]);
  });
});
