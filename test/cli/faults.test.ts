/**
 * Faults that must end in one named line, not in a stack trace or a silent wait: an LLM endpoint that answers
 * HTML (or text) instead of a chat completion, and a withdrawn paper (said to be withdrawn, never critiqued).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, seedDay, startArxivServer } from '../fakes/arxiv-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { instantClock, runCli } from '../helpers/cli';
import { standInEnv } from '../helpers/stand-ins';

const WITHDRAWN = '2510.26143';
const PICKS = [WITHDRAWN, '2510.26352', '2510.26788'];

describe('LLM and paper faults, through the CLI', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    arxiv = await startArxivServer();
    const day = seedDay();
    const papers = day.papers.map((p) =>
      p.id === WITHDRAWN
        ? { ...p, comments: 'This paper has been withdrawn by the authors due to an error in the reward model' }
        : p,
    );
    arxiv.setDay(day.categories, day.date, papers);
    openai = await startOpenAiServer();
    openai.prefer(PICKS, 9);
    cwd = mkdtempSync(path.join(tmpdir(), 'faults-'));
    writeFileSync(
      path.join(cwd, 'c.yaml'),
      'digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: alignment and reasoning\n    maxPapers: 3\n',
    );
    env = {
      ...standInEnv({ arxiv, openai }),
    };
  });
  afterAll(() => Promise.all([arxiv.close(), openai.close()]));
  beforeEach(() => openai.reset());

  it('an endpoint answering HTML is named in one line, and the digest falls back to the abstracts', async () => {
    openai.fail('html', { times: 1000 });
    const run = await runCli(['digest', '--config', path.join(cwd, 'c.yaml'), '--dry-run', '--format', 'json'], {
      cwd: mkdtempSync(path.join(tmpdir(), 'faults-html-')),
      env,
      clock: instantClock,
    });
    expect(run.code).toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nlp: The endpoint at OPENAI_BASE_URL answered HTML, not a chat completion, so /);
    expect(run.stderr).not.toMatch(/Cannot read properties|TypeError|at .*\.ts:\d+/);
    const digest = JSON.parse(run.stdout);
    expect(digest.selected).toHaveLength(3);
    for (const p of digest.selected) expect(p.critique).toBe('');
    // Once the endpoint is known not to be a chat API, the rest of the day's calls are not sent: at most the
    // first wave (concurrency 4) reached it.
    expect(openai.requests.length).toBeLessThanOrEqual(4);
  });

  it('an endpoint answering plain text is named the same way', async () => {
    openai.fail('text', { times: 1000 });
    const run = await runCli(['critique', '2510.26352'], { cwd, env, clock: instantClock });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^arxiv-digest: the endpoint at OPENAI_BASE_URL answered text, not a chat completion/),
    ]);
  });

  it('a withdrawn paper is said to be withdrawn in the digest and in /critique, and never critiqued', async () => {
    const run = await runCli(['digest', '--config', path.join(cwd, 'c.yaml'), '--dry-run', '--format', 'json'], {
      cwd: mkdtempSync(path.join(tmpdir(), 'faults-withdrawn-')),
      env,
      clock: instantClock,
    });
    expect(run.code).toBe(0);
    const digest = JSON.parse(run.stdout);
    const paper = digest.selected.find((p: { id: string }) => p.id === WITHDRAWN);
    expect(paper).toBeDefined();
    expect(paper.summary).toMatch(/withdrawn/i);
    expect(paper.summary).toMatch(/no critique of the retracted text/);
    expect(paper.critique).toBe('');
    // The other picks were reviewed; the withdrawn one was not sent for review at all.
    const reviews = openai.requests.filter((r) => r.schemaName === 'paper_review');
    expect(reviews.length).toBe(2);
    expect(reviews.some((r) => r.ids.includes(WITHDRAWN))).toBe(false);

    openai.reset();
    const critique = await runCli(['critique', WITHDRAWN], { cwd, env, clock: instantClock });
    expect(critique.code).toBe(0);
    expect(critique.stdout).toMatch(/Withdrawn\..*has been withdrawn \("This paper has been withdrawn by the authors/);
    expect(critique.stdout).toMatch(/no critique of the retracted text/);
    expect(openai.requests).toHaveLength(0);
  });
});
