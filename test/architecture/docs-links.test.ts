/**
 * Every link of the README and of docs/*.md leads somewhere: a relative file or folder that exists, and an #anchor
 * that is a heading of the page it names (GitHub's slugs). Links to the web are not fetched (no network in tests).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

const pages = [
  'README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The text outside fenced code blocks and inline code, where a `[x](y)` is a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, … */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const body = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const m of body.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = (m[1] ?? '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

function linksOf(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] ?? '');
}

describe.each(pages)('%s', (page) => {
  const file = path.join(root, page);
  const text = readFileSync(file, 'utf8');
  const links = linksOf(text).filter((l) => !/^(https?:|mailto:)/.test(l));

  it('links only to files that exist and to headings that exist', () => {
    const broken: string[] = [];
    for (const link of links) {
      const [target = '', anchor] = link.split('#');
      const resolved = target ? path.resolve(path.dirname(file), decodeURIComponent(target)) : file;
      const rel = path.relative(root, resolved).split(path.sep).join('/');
      if (!existsSync(resolved)) {
        broken.push(`${link} (no file ${rel})`);
        continue;
      }
      if (anchor === undefined) continue;
      if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
        broken.push(`${link} (an anchor into a file that is not Markdown)`);
        continue;
      }
      if (!anchorsOf(readFileSync(resolved, 'utf8')).has(anchor))
        broken.push(`${link} (no heading #${anchor} in ${rel})`);
    }
    expect(broken).toEqual([]);
  });
});

test('the anchors are GitHub’s', () => {
  const anchors = anchorsOf(
    '# A\n## How a digest is made, and what it costs\n### `npm ci` on Node 26\n## Ask the paper\n## Ask the paper\n',
  );
  expect([...anchors]).toEqual([
    'a',
    'how-a-digest-is-made-and-what-it-costs',
    'npm-ci-on-node-26',
    'ask-the-paper',
    'ask-the-paper-1',
  ]);
});
