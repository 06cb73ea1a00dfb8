import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, startArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { instantClock, runCli } from '../helpers/cli';

describe('arxiv-digest digest (no LLM, no chat) against a local arXiv', () => {
  let arxiv: ArxivServer;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    arxiv = await startSeedArxiv();
  });
  afterAll(() => arxiv.close());
  beforeEach(() => {
    cwd = mkdtempSync(path.join(tmpdir(), 'digest-'));
    env = { ARXIV_RSS_URL: arxiv.rssUrl, ARXIV_API_URL: arxiv.apiUrl, ARXIV_WEB_URL: arxiv.webUrl };
  });

  it('prints the seed-shaped digest on --dry-run with nothing configured', async () => {
    const run = await runCli(['digest', '--dry-run'], { cwd, env, clock: instantClock });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const md = run.stdout;
    expect(md).toMatch(
      /^---\ntitle: "ArXiv Daily Digest on 2025-10-30"\ncollection: digests\npermalink: \/digests\/arxiv_cs_CL_2025-10-30_report\ndate: 2025-10-30\n/,
    );
    expect(md).toContain('## TL;DR\n\nTotal papers: 58 , Selected papers: 5\n');
    expect(md).toContain('Built without an LLM');
    const papers = md.split('\n---\n').filter((s) => s.trimStart().startsWith('# '));
    expect(papers).toHaveLength(5);
    for (const p of papers) {
      for (const field of [
        'Authors: ',
        'Keywords: ',
        'Comments: ',
        'Paper link: [http://arxiv.org/abs/',
        '## Abstract',
        '## Summary',
        '## Critique',
      ]) {
        expect(p).toContain(field);
      }
    }
    // The store keeps the day: the default sqlite file under data/.
    expect(existsSync(path.join(cwd, 'data', 'arxiv-digest.sqlite'))).toBe(true);
  });

  it('prints one JSON object per digest and writes the archive with --out', async () => {
    const out = path.join(cwd, 'archive', 'digest.md');
    const run = await runCli(['digest', '--format', 'json', '--out', out], { cwd, env, clock: instantClock });
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const obj = JSON.parse(lines[0]!);
    expect(obj).toMatchObject({ name: 'cs-CL', date: '2025-10-30', categories: ['cs.CL'], totalPapers: 58 });
    expect(obj.selected).toHaveLength(5);
    expect(obj.selected[0]).toEqual(
      expect.objectContaining({
        id: expect.stringMatching(/^\d{4}\.\d{5}$/),
        version: 1,
        url: expect.stringMatching(/^http:\/\/arxiv\.org\/abs\/.+v1$/),
      }),
    );
    expect(obj.usage).toEqual({
      llmCalls: 0,
      promptTokens: 0,
      completionTokens: 0,
      cachedCalls: 0,
      estimatedCostUsd: 0,
    });
    expect(readFileSync(out, 'utf8')).toContain('Total papers: 58 , Selected papers: 5');
  });

  it('says "no announcements" on a weekend and exits 0', async () => {
    const weekend = await startArxivServer();
    weekend.setDay(['cs.CL'], '2025-11-01', []);
    const run = await runCli(['digest', '--dry-run'], {
      cwd,
      env: { ...env, ARXIV_RSS_URL: weekend.rssUrl, ARXIV_API_URL: weekend.apiUrl },
      clock: instantClock,
    });
    await weekend.close();
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/no announcements on arXiv for cs\.CL/);
  });

  it('fails with exit 1 and one line naming a malformed feed', async () => {
    const broken = await startArxivServer();
    broken.serveRaw('/rss', '<html><body>Service Unavailable</body></html>', 'text/html');
    const run = await runCli(['digest', '--dry-run'], {
      cwd,
      env: { ...env, ARXIV_RSS_URL: broken.rssUrl },
      clock: instantClock,
    });
    await broken.close();
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`${broken.rssUrl}/cs.CL`);
  });

  it('reads the config file and picks a digest with --name', async () => {
    writeFileSync(
      path.join(cwd, 'c.yaml'),
      'digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: multi-agent collaboration and teams of language models\n    maxPapers: 2\n  - name: other\n    categories: [hep-th]\n    interests: strings\n',
    );
    const run = await runCli(['digest', '--dry-run', '--config', 'c.yaml', '--name', 'nlp'], {
      cwd,
      env,
      clock: instantClock,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Total papers: 58 , Selected papers: 2');
    expect(run.stdout).toContain('# The Geometry of Dialogue');
  });
});
