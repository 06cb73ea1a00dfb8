import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { PLATFORM_CONFIG } from '../cli/adapters';
import { loadConfig as loadWith, modelFor, parseConfig as parseWith, pickDigests } from './load';
import { SEED_INTERESTS } from './schema';

// The platforms' config parts come from the composition root, as in the product.
const loadConfig = (options: Parameters<typeof loadWith>[0] = {}) =>
  loadWith({ platforms: PLATFORM_CONFIG, ...options });
const parseConfig = (input: unknown, source: string) => parseWith(input, source, PLATFORM_CONFIG);

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
    expect(d.votes).toEqual({ emoji: ['+1'], winners: 1, explore: 1 });
    expect(c.llm.embeddingModel).toBeUndefined();
    expect(c.llm.model).toBe('gpt-4o-mini');
    expect(d.language).toBe('en');
    expect(parseConfig(withDigest({ language: 'zh' }), 'c.yaml').digests[0]?.language).toBe('zh');
  });

  it('uses the built-in defaults with no file: cs.CL and the seed interests, no channel', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const { config, source } = loadConfig({ cwd: dir });
    expect(source).toBe('built-in defaults');
    expect(config.digests[0]?.categories).toEqual(['cs.CL']);
    expect(config.digests[0]?.interests).toBe(SEED_INTERESTS);
    expect(config.digests[0]?.channels).toEqual([]);
  });

  it('reads the file it is given (the root gives --config, else $ARXIV_DIGEST_CONFIG)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    writeFileSync(
      path.join(dir, 'a.yaml'),
      'digests:\n  - name: a\n    categories: [hep-th]\n    interests: strings\n',
    );
    writeFileSync(path.join(dir, 'b.yaml'), 'digests:\n  - name: b\n    categories: [cs.LG]\n    interests: ml\n');
    expect(loadConfig({ file: 'b.yaml', cwd: dir }).config.digests[0]?.name).toBe('b');
    expect(loadConfig({ file: 'a.yaml', cwd: dir }).config.digests[0]?.name).toBe('a');
  });

  it('accepts the example config', () => {
    const { config } = loadConfig({
      file: 'config/arxiv-digest.example.yaml',
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
    [
      withDigest({ categories: ['CS CL'] }),
      /digests\[0\]\.categories\[0\] is "CS CL": unknown arXiv category \(did you mean cs\.CL\?/,
    ],
    [
      withDigest({ channels: [{ slack: '#general' }] }),
      /digests\[0\]\.channels\[0\] is .*: expected either slack: C0123456789 or discord/,
    ],
    [{ digests: [] }, /digests is \[\]: expected at least one digest/],
    [{ digests: [minimal.digests[0], minimal.digests[0]] }, /digests\[1\]\.name is "nlp": expected a unique name/],
    [{ ...minimal, llm: { concurrency: 0 } }, /llm\.concurrency is 0: expected a number of at least 1/],
    [withDigest({ language: 'chinese' }), /digests\[0\]\.language is "chinese": expected an ISO 639-1 language code/],
    [withDigest({ language: 'zh-CN' }), /digests\[0\]\.language is "zh-CN": expected an ISO 639-1 language code/],
  ])('names the bad key, the value and what is expected (%#)', (input, pattern) => {
    const msg = errorOf(() => parseConfig(input, 'c.yaml'));
    expect(msg).toMatch(/^c\.yaml: /);
    expect(msg).toMatch(pattern);
    expect(msg).not.toContain('\n');
  });

  it('reports YAML syntax errors and missing files in one line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'digests: [\n  name: x\n');
    expect(errorOf(() => loadConfig({ file: 'bad.yaml', cwd: dir }))).toMatch(/^bad\.yaml: not valid YAML: /);
    expect(errorOf(() => loadConfig({ file: 'nope.yaml', cwd: dir }))).toMatch(
      /config file "nope\.yaml" does not exist/,
    );
  });

  it('picks digests by name and the model by precedence', () => {
    const c = parseConfig(withDigest({ model: 'digest-model' }), 'c.yaml');
    expect(errorOf(() => pickDigests(c, 'ml'))).toBe(
      '--name "ml" is not a digest of the config (expected one of: nlp)',
    );
    expect(modelFor(c, { model: undefined }, c.digests[0])).toBe('digest-model');
    expect(modelFor(c, { model: 'env-model' }, c.digests[0])).toBe('env-model');
    expect(modelFor(c, { model: undefined })).toBe('gpt-4o-mini');
  });
});

describe('config mistakes people make in YAML', () => {
  function load(yaml: string): string | ReturnType<typeof loadConfig> {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    writeFileSync(path.join(dir, 'c.yaml'), yaml);
    try {
      return loadConfig({ file: 'c.yaml', cwd: dir });
    } catch (err) {
      return (err as Error).message;
    }
  }
  const base = 'digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: x\n';

  it('reads an unquoted Discord id exactly (18 digits are past 2^53: as a number it would name another channel)', () => {
    const loaded = load(
      `${base}    channels:\n      - discord: 123456789012345678\ndiscord:\n  guildId: 987654321098765432\n`,
    );
    expect(typeof loaded).not.toBe('string');
    if (typeof loaded === 'string') return;
    expect(loaded.config.digests[0]?.channels).toEqual([{ discord: '123456789012345678' }]);
    expect(loaded.config.discord).toEqual({ guildId: '987654321098765432' });
    expect(loaded.config.digests[0]?.maxPapers).toBe(5);
  });

  it.each([
    [
      `${base}    schedule: "0 30 8 * * 1-5"\n`,
      /digests\[0\]\.schedule is "0 30 8 \* \* 1-5": expected a cron expression of 5 fields .*not 6$/,
    ],
    [`${base}    schedule: "30 8 * *"\n`, /schedule is "30 8 \* \*": expected a cron expression of 5 fields .*not 4$/],
    [
      base.replace('[cs.CL]', '[cs.cl]'),
      /categories\[0\] is "cs\.cl": expected an arXiv category in arXiv's spelling \(cs\.CL\)$/,
    ],
    [`${base}    intrests: y\n`, /unknown key digests\[0\]\.intrests \(did you mean interests\? check the spelling/],
    [`${base}    max_papers: 3\n`, /unknown key digests\[0\]\.max_papers \(did you mean maxPapers\? /],
    [`${base}llm:\n  modle: x\n`, /unknown key llm\.modle \(did you mean model\? /],
    [`${base}    maxPapers: 2.5\n`, /maxPapers is 2\.5: expected a whole number$/],
    [`${base}    maxPapers: 123456789012345678901\n`, /maxPapers is "123456789012345678901": expected a number$/],
    [`${base}    votes:\n      emoji: []\n`, /votes\.emoji is \[\]: expected a list of at least 1 item$/],
    ['digests:\n', /^c\.yaml: digests is empty: expected a list$/],
    ['digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests:\n', /interests is empty: expected a string$/],
    ['digests:\n\t- name: nlp\n', /^c\.yaml: not valid YAML: Tabs are not allowed as indentation at line 2, column 1$/],
    [`${base}discord:\n  guildId: my-server\n`, /discord\.guildId is "my-server": expected a Discord server id/],
  ])('explains %j in one line', (yaml, pattern) => {
    const msg = load(yaml);
    expect(typeof msg).toBe('string');
    expect(msg).toMatch(pattern);
    expect(msg).not.toContain('\n');
  });

  it('still accepts physics.* and cond-mat.* subject classes, which are lower case', () => {
    const loaded = load(base.replace('[cs.CL]', '[physics.optics, cond-mat.mes-hall, astro-ph.CO, hep-th]'));
    expect(typeof loaded).not.toBe('string');
  });
});

describe('the chat platforms compose the config', () => {
  const matrix = {
    id: 'matrix',
    channel: z.string().regex(/^![A-Za-z0-9]+:[\w.-]+$/, 'a Matrix room id such as !abc:example.org'),
    channelExample: 'matrix: "!abc:example.org"',
    section: z.strictObject({ homeserver: z.string().default('https://matrix.org') }),
  };
  const digest = (channels: unknown[]) => ({ digests: [{ ...minimal.digests[0], channels }] });

  it('takes a new platform from its config part alone: its channel entries and its section', () => {
    const c = parseWith(digest([{ matrix: '!room:example.org' }]), 'c.yaml', [matrix]);
    expect(c.digests[0]?.channels).toEqual([{ matrix: '!room:example.org' }]);
    expect(c.matrix).toEqual({ homeserver: 'https://matrix.org' });
    expect(errorOf(() => parseWith(digest([{ matrix: 'general' }]), 'c.yaml', [matrix]))).toBe(
      'c.yaml: digests[0].channels[0] is {"matrix":"general"}: expected matrix: "!abc:example.org"',
    );
    expect(errorOf(() => parseWith({ ...minimal, matrix: { homeservr: 'x' } }, 'c.yaml', [matrix]))).toMatch(
      /unknown key matrix\.homeservr \(did you mean homeserver\?/,
    );
  });

  it('refuses a channel or a section of a platform it was not given', () => {
    expect(errorOf(() => parseWith(digest([{ slack: 'C0123456789' }]), 'c.yaml', [matrix]))).toMatch(
      /channels\[0\] is .*: expected matrix: /,
    );
    expect(errorOf(() => parseWith(digest([{ slack: 'C0123456789' }]), 'c.yaml'))).toMatch(
      /channels\[0\] is .*: expected no channel \(no chat platform is available\)$/,
    );
    expect(errorOf(() => parseWith({ ...minimal, discord: {} }, 'c.yaml', [matrix]))).toMatch(/unknown key discord/);
    const three = [...PLATFORM_CONFIG, matrix];
    expect(errorOf(() => parseWith(digest([{ irc: '#x' }]), 'c.yaml', three))).toMatch(
      /expected one of slack: C0123456789, discord: "123456789012345678" or matrix: "!abc:example.org"$/,
    );
  });
});

describe('library: (the reading list)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'library-config-'));
  const configWith = (library: unknown) => {
    const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, JSON.stringify(withDigest({ library })));
    return path.basename(file);
  };
  writeFileSync(path.join(dir, 'ids.txt'), '2411.15124\n');
  writeFileSync(
    path.join(dir, 'zotero.bib'),
    '@misc{a, title = {A {Paper}}, eprint = {2305.18290}, archivePrefix = {arXiv}}\n',
  );

  it('takes a path or a list of paths, relative to the config file', () => {
    const one = loadConfig({ file: configWith('ids.txt'), cwd: dir }).config.digests[0]!;
    expect(one.library).toEqual([path.join(dir, 'ids.txt')]);
    const two = loadConfig({ file: path.join(dir, configWith(['ids.txt', 'zotero.bib'])), cwd: '/' });
    expect(two.config.digests[0]?.library).toEqual([path.join(dir, 'ids.txt'), path.join(dir, 'zotero.bib')]);
  });

  it.each([
    [
      'missing.bib',
      /^c\w+\.yaml: digests\[0\]\.library: library file "missing\.bib" does not exist \(expected a BibTeX/,
    ],
    ['.', /: library file "\." is a directory \(expected/],
    ['export.ris', /: library file "export\.ris" is a \.ris file, a format not read here \(expected/],
    ['words.txt', /: library file "words\.txt" has no usable entry \(1 without a title or an arXiv id; expected/],
  ])('%s is one line naming the path and what is expected', (library, pattern) => {
    writeFileSync(path.join(dir, 'export.ris'), 'TY  - JOUR\n');
    writeFileSync(path.join(dir, 'words.txt'), 'just words\n');
    const msg = errorOf(() => loadConfig({ file: configWith(library), cwd: dir }));
    expect(msg).toMatch(pattern);
    expect(msg).not.toContain('\n');
  });

  it('is a path or a non-empty list of paths', () => {
    expect(errorOf(() => parseConfig(withDigest({ library: [] }), 'c.yaml'))).toMatch(/digests\[0\]\.library/);
    expect(errorOf(() => parseConfig(withDigest({ library: 3 }), 'c.yaml'))).toMatch(/digests\[0\]\.library is 3/);
  });
});
