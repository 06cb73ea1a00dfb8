import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { ZOTERO_BIB } from '../fakes/zotero';
import { instantClock, runCli } from '../helpers/cli';

describe('arxiv-digest digest with a reading list (library:)', () => {
  let arxiv: ArxivServer;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    arxiv = await startSeedArxiv();
  });
  afterAll(() => arxiv.close());
  beforeEach(() => {
    cwd = mkdtempSync(path.join(tmpdir(), 'library-cli-'));
    env = { ARXIV_RSS_URL: arxiv.rssUrl, ARXIV_API_URL: arxiv.apiUrl, ARXIV_WEB_URL: arxiv.webUrl };
  });

  const config = (library: string) => {
    writeFileSync(
      path.join(cwd, 'digest.yaml'),
      `digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: Reasoning; agents.\n    library: ${library}\n`,
    );
    return ['--config', 'digest.yaml'];
  };

  it('a Zotero BibTeX export next to the config is read, and the day is built with no LLM call', async () => {
    writeFileSync(path.join(cwd, 'zotero.bib'), ZOTERO_BIB);
    const run = await runCli(['digest', '--dry-run', '--format', 'json', ...config('zotero.bib')], {
      cwd,
      env,
      clock: instantClock,
    });
    expect(run.code).toBe(0);
    const digest = JSON.parse(run.stdout.trim());
    expect(digest.selected).toHaveLength(5);
    expect(digest.usage.llmCalls).toBe(0);
  });

  it('a missing library file exits 2 with one line naming it', async () => {
    const run = await runCli(['digest', '--dry-run', ...config('papers/zotero.bib')], {
      cwd,
      env,
      clock: instantClock,
    });
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/digest\.yaml: digests\[0\]\.library: library file "papers\/zotero\.bib" does not exist/);
    expect(run.stdout).toBe('');
  });
});
