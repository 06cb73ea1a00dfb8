import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';

/** Every bad input: exit 2, one line on stderr naming the value and what is expected, nothing stored or posted. */
describe('CLI bad input', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(path.join(tmpdir(), 'cli-'));
  });

  const cases: Array<[string[], RegExp, string?]> = [
    [['digest', '--frobnicate'], /^arxiv-digest: unknown option --frobnicate \(see arxiv-digest --help\)$/],
    [
      ['digest', '--date', '2025-13-01'],
      /^arxiv-digest: --date "2025-13-01" is not a date \(expected YYYY-MM-DD, e\.g\. 2025-10-30\)$/,
    ],
    [['digest', '--date', 'yesterday'], /--date "yesterday" is not a date/],
    [['digest', '--format', 'html'], /--format "html" is not a format \(expected markdown or json\)/],
    [['digest', '--name', 'ml'], /--name "ml" is not a digest of the config \(expected one of: cs-CL\)/],
    [['critique', 'not-an-id'], /^arxiv-digest: not an arXiv id: "not-an-id" \(expected e\.g\. 2510\.26707/],
    [['critique'], /critique needs an arXiv id or URL/],
    [['critique', '2510.26707', '--dry-run'], /option --dry-run does not apply to "critique"/],
    [['publish'], /unknown command "publish" \(expected one of: digest, critique, start, register-commands, tally\)/],
    [['digest', '--config', 'missing.yaml'], /config file "missing\.yaml" does not exist/],
    [
      ['digest', '--config', 'bad.yaml'],
      /^arxiv-digest: bad\.yaml: digests\[0\]\.maxPapers is 0: expected a number of at least 1$/,
    ],
    [['digest', '--date'], /option --date needs a value/],
    [
      ['digest', '--config', 'lang.yaml'],
      /^arxiv-digest: lang\.yaml: digests\[0\]\.language is "cn": expected an ISO 639-1 language code such as en, zh, ja, de, fr or es$/,
    ],
  ];

  it.each(cases)('%j exits 2 with one line', async (argv, pattern) => {
    writeFileSync(
      path.join(cwd, 'bad.yaml'),
      'digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: x\n    maxPapers: 0\n',
    );
    writeFileSync(
      path.join(cwd, 'lang.yaml'),
      'digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: x\n    language: cn\n',
    );
    const run = await runCli(argv, { cwd });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(existsSync(path.join(cwd, 'data'))).toBe(false); // nothing stored
  });

  it('prints help and version', async () => {
    expect((await runCli(['--help'], { cwd })).stdout).toMatch(/^arxiv-digest — /);
    expect((await runCli(['--version'], { cwd })).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const none = await runCli([], { cwd });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Usage:/);
  });

  it('refuses a channel whose platform has no credentials before building anything', async () => {
    writeFileSync(
      path.join(cwd, 'c.yaml'),
      'digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: x\n    channels: [{slack: C0123456789}]\n',
    );
    const run = await runCli(['digest', '--config', 'c.yaml'], {
      cwd,
      env: { ARXIV_RSS_URL: 'http://127.0.0.1:1/rss', STORE_URL: 'memory://' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'arxiv-digest: digest "nlp" posts to slack channel C0123456789, but slack is off: set SLACK_BOT_TOKEN (or use --dry-run)',
    );
  });

  it('refuses a malformed chat platform variable in one line, read by its adapter', async () => {
    writeFileSync(path.join(cwd, 'c.yaml'), 'digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: x\n');
    const run = await runCli(['digest', '--config', 'c.yaml', '--dry-run'], {
      cwd,
      env: {
        ARXIV_RSS_URL: 'http://127.0.0.1:1/rss',
        STORE_URL: 'memory://',
        DISCORD_TOKEN: 't',
        DISCORD_GATEWAY: 'no',
      },
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('arxiv-digest: DISCORD_GATEWAY is "no": expected on or off');
  });
});

describe('CLI bad input found before anything is fetched', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(path.join(tmpdir(), 'cli-'));
  });
  const now = Date.parse('2025-10-30T15:00:00Z');
  const clock = { now: () => now, sleep: async () => {} };

  it.each([
    [['digest', '--name', ''], /^arxiv-digest: option --name is empty \(it needs a value; see arxiv-digest --help\)$/],
    [['digest', '--config', ''], /^arxiv-digest: option --config is empty/],
    [
      ['digest', '--date', '2025-10-31'],
      /^arxiv-digest: --date "2025-10-31" is in the future \(expected 2025-10-30 or an earlier day\)$/,
    ],
    [
      ['digest', '--out', '/etc/passwd/x.md'],
      /^arxiv-digest: --out "\/etc\/passwd\/x\.md" cannot be written \(\/etc\/passwd is a file, not a directory; expected a file or directory path you can write\)$/,
    ],
  ])('%j exits 2 with one line and stores nothing', async (argv, pattern) => {
    // No arXiv URL is set: were anything fetched, the blocked network would fail the run with exit 1.
    const run = await runCli(argv, { cwd, clock });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(pattern);
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  });
});
