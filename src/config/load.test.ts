import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, modelFor, parseConfig, pickDigests } from './load';
import { SEED_INTERESTS } from './schema';

const minimal = { digests: [{ name: 'nlp', categories: ['cs.CL'], interests: 'RL for LLMs' }] };

function withDigest(extra: Record<string, unknown>) {
  return { digests: [{ ...minimal.digests[0], ...extra }] };
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('config', () => {
  it('fills defaults for everything but the essentials', () => {
    const c = parseConfig(minimal, 'c.yaml');
    const d = c.digests[0]!;
    expect(d.maxPapers).toBe(5);
    expect(d.schedule).toBe('30 8 * * 1-5');
    expect(d.timezone).toBe('America/New_York');
    expect(d.channels).toEqual([]);
    expect(d.votes).toEqual({ emoji: ['+1'], winners: 1 });
    expect(c.llm.model).toBe('gpt-4o-mini');
  });

  it('uses the built-in defaults with no file: cs.CL and the seed interests, no channel', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const { config, source } = loadConfig({ env: {}, cwd: dir });
    expect(source).toBe('built-in defaults');
    expect(config.digests[0]?.categories).toEqual(['cs.CL']);
    expect(config.digests[0]?.interests).toBe(SEED_INTERESTS);
    expect(config.digests[0]?.channels).toEqual([]);
  });

  it('reads --config, then $ARXIV_DIGEST_CONFIG', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    writeFileSync(
      path.join(dir, 'a.yaml'),
      'digests:\n  - name: a\n    categories: [hep-th]\n    interests: strings\n',
    );
    writeFileSync(path.join(dir, 'b.yaml'), 'digests:\n  - name: b\n    categories: [cs.LG]\n    interests: ml\n');
    expect(loadConfig({ env: { ARXIV_DIGEST_CONFIG: 'b.yaml' }, cwd: dir }).config.digests[0]?.name).toBe('b');
    expect(
      loadConfig({ file: 'a.yaml', env: { ARXIV_DIGEST_CONFIG: 'b.yaml' }, cwd: dir }).config.digests[0]?.name,
    ).toBe('a');
  });

  it('accepts the example config', () => {
    const { config } = loadConfig({
      file: 'config/arxiv-digest.example.yaml',
      env: {},
      cwd: path.resolve(__dirname, '../..'),
    });
    expect(config.digests[0]?.channels).toEqual([{ slack: 'C0123456789' }, { discord: '123456789012345678' }]);
  });

  it.each([
    [withDigest({ maxPapers: 'five' }), /digests\[0\]\.maxPapers is "five": expected a number/],
    [withDigest({ intrests: 'x' }), /unknown key digests\[0\]\.intrests/],
    [
      withDigest({ schedule: 'every morning' }),
      /digests\[0\]\.schedule is "every morning": expected a cron expression/,
    ],
    [withDigest({ timezone: 'Mars/Olympus' }), /digests\[0\]\.timezone is "Mars\/Olympus": expected an IANA time zone/],
    [withDigest({ categories: ['CS CL'] }), /digests\[0\]\.categories\[0\] is "CS CL": expected an arXiv category/],
    [
      withDigest({ channels: [{ slack: '#general' }] }),
      /digests\[0\]\.channels\[0\] is .*: expected either slack: C0123456789 or discord/,
    ],
    [{ digests: [] }, /digests is \[\]: expected at least one digest/],
    [{ digests: [minimal.digests[0], minimal.digests[0]] }, /digests\[1\]\.name is "nlp": expected a unique name/],
    [{ ...minimal, llm: { concurrency: 0 } }, /llm\.concurrency is 0: expected a number of at least 1/],
  ])('names the bad key, the value and what is expected (%#)', (input, pattern) => {
    const msg = errorOf(() => parseConfig(input, 'c.yaml'));
    expect(msg).toMatch(/^c\.yaml: /);
    expect(msg).toMatch(pattern);
    expect(msg).not.toContain('\n');
  });

  it('reports YAML syntax errors and missing files in one line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'digests: [\n  name: x\n');
    expect(errorOf(() => loadConfig({ file: 'bad.yaml', env: {}, cwd: dir }))).toMatch(/^bad\.yaml: not valid YAML: /);
    expect(errorOf(() => loadConfig({ file: 'nope.yaml', env: {}, cwd: dir }))).toMatch(
      /config file "nope\.yaml" does not exist/,
    );
  });

  it('picks digests by name and the model by precedence', () => {
    const c = parseConfig(withDigest({ model: 'digest-model' }), 'c.yaml');
    expect(errorOf(() => pickDigests(c, 'ml'))).toBe(
      '--name "ml" is not a digest of the config (expected one of: nlp)',
    );
    expect(modelFor(c, {}, c.digests[0])).toBe('digest-model');
    expect(modelFor(c, { ARXIV_DIGEST_MODEL: 'env-model' }, c.digests[0])).toBe('env-model');
    expect(modelFor(c, {})).toBe('gpt-4o-mini');
  });
});
