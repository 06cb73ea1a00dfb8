import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, startArxivServer } from '../../test/fakes/arxiv-server';
import { createContext } from '../context';
import { silentLogger } from '../app/log';
import type { Paper } from '../app/types';
import { createArxivClient } from '../arxiv/client';
import { parseConfig } from '../config/load';
import { SEED_INTERESTS } from '../config/schema';
import { firstPass } from '../pipeline/firstpass';
import { createProfileBoost } from '../profile/profile';
import { openStore } from '../store';
import { libraryDocs } from './papers';

let arxiv: ArxivServer;
beforeAll(async () => {
  arxiv = await startArxivServer();
});
afterAll(() => arxiv.close());

function paper(id: string, title: string, abstract: string): Paper {
  return { id, version: 1, title, abstract, authors: ['A. Author'], categories: ['cs.CL'], primaryCategory: 'cs.CL' };
}

const KNOWN = [
  paper('2411.15124', 'Tulu 3: open post-training', 'We introduce multilingual tokenizers for low-resource languages.'),
  paper(
    '2305.18290',
    'Direct preference optimization',
    'We propose tokenizer-free multilingual models for many languages.',
  ),
];

async function world(library: string) {
  const store = await openStore('memory://');
  const config = parseConfig(
    { digests: [{ name: 'nlp', categories: ['cs.CL'], interests: SEED_INTERESTS, library }] },
    'test config',
  );
  const ctx = createContext({ config, store, log: silentLogger, env: { ARXIV_API_URL: arxiv.apiUrl } });
  const client = createArxivClient(ctx, { minIntervalMs: 0 });
  return { ctx, store, client, digest: config.digests[0]! };
}

describe("a digest's reading list", () => {
  test('ids without an abstract get theirs from the export API once, in one request; a changed file is re-read', async () => {
    arxiv.addPapers(KNOWN);
    const dir = mkdtempSync(path.join(tmpdir(), 'library-'));
    const file = path.join(dir, 'reading.txt');
    writeFileSync(file, '2411.15124\n');
    const w = await world(file);
    const before = arxiv.requests.filter((r) => r.path === '/api/query').length;
    const docs = await libraryDocs(w.ctx, w.client, w.digest);
    expect(docs).toEqual([{ id: '2411.15124', title: KNOWN[0]?.title, abstract: KNOWN[0]?.abstract }]);
    expect(await libraryDocs(w.ctx, w.client, w.digest)).toBe(docs);
    // The file grows: only the new id is asked for (the first one's metadata is stored).
    writeFileSync(file, '2411.15124\n2305.18290\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const again = await libraryDocs(w.ctx, w.client, w.digest);
    expect(again.map((d) => d.id)).toEqual(['2411.15124', '2305.18290']);
    const asked = arxiv.requests.filter((r) => r.path === '/api/query').slice(before);
    expect(asked).toHaveLength(2);
    expect(asked[1]?.query.id_list).toBe('2305.18290');
    await w.store.close();
  });

  test('the papers are the profile\u2019s first evidence: before any vote, papers like them rise in the first pass', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'library-'));
    const file = path.join(dir, 'zotero.json');
    // Fifteen papers on multilingual tokenizers, as a CSL-JSON export with their abstracts (no arXiv request).
    const items = Array.from({ length: 15 }, (_, i) => ({
      type: 'article',
      title: `Multilingual tokenizers for language family ${i}`,
      abstract: `We introduce a subword tokenizer for low-resource languages of family ${i} and measure vocabulary fertility.`,
      URL: `https://arxiv.org/abs/2409.${String(10000 + i)}`,
    }));
    writeFileSync(file, JSON.stringify(items));
    const w = await world(file);
    const day = [
      ...Array.from({ length: 12 }, (_, i) =>
        paper(
          `2510.${10000 + i}`,
          `${['Reinforcement learning', 'Preference optimization', 'Agents', 'Alignment'][i % 4]} study ${i}`,
          `We study ${'reasoning '.repeat(1 + (i % 3))}in large models, on benchmarks of many kinds.`,
        ),
      ),
      paper(
        '2510.20000',
        'Tokenizers for low-resource languages',
        'We introduce a multilingual subword tokenizer and study reasoning.',
      ),
    ];
    const boost = createProfileBoost(w.store, (d) => libraryDocs(w.ctx, w.client, d));
    const got = await boost(w.digest, day);
    const map = got instanceof Map ? got : got.boost;
    // λ as for votes that agree: evidence log2(1 + 15 papers), λ ≈ 0.83.
    expect(got instanceof Map ? undefined : got.weight).toBeCloseTo(1 - Math.exp(-((4 / 3) ** 2)), 6);
    const plain = firstPass(day, w.digest).map((s) => s.paper.id);
    const withList = firstPass(day, w.digest, map).map((s) => s.paper.id);
    expect(plain.indexOf('2510.20000')).toBe(12);
    expect(withList.indexOf('2510.20000')).toBeLessThan(7);
    await w.store.close();
  });
});
