import {
  cleanRssDescription,
  cleanText,
  collapseWhitespace,
  decodeEntities,
  latexToUnicode,
  splitAuthors,
} from './text';

describe('arXiv text clean-up', () => {
  test('removes the RSS description prefix "arXiv:… Announce Type: … Abstract:"', () => {
    const description =
      'arXiv:2510.26707v1 Announce Type: new \nAbstract: As Large Language Models (LLMs) are increasingly deployed in social contexts, we trace value drifts.';
    expect(cleanRssDescription(description)).toBe(
      'As Large Language Models (LLMs) are increasingly deployed in social contexts, we trace value drifts.',
    );
    expect(cleanRssDescription('arXiv:hep-th/9901001v2 Announce Type: replace-cross\nAbstract: Old paper.')).toBe(
      'Old paper.',
    );
    expect(cleanRssDescription('An abstract without a prefix.')).toBe('An abstract without a prefix.');
  });

  test('collapses the export API line wrapping and odd whitespace', () => {
    expect(collapseWhitespace('  Reinforcement learning (RL) can elicit\n  strong reasoning\u00a0in\tLLMs.\n')).toBe(
      'Reinforcement learning (RL) can elicit strong reasoning in LLMs.',
    );
  });

  test('decodes named, numeric and double-escaped HTML entities, leaves unknown ones', () => {
    expect(decodeEntities('Q&amp;A &lt;b&gt; caf&#233; &#x2013; &amp;lt;tag&amp;gt; &bogus;')).toBe(
      'Q&A <b> café – <tag> &bogus;',
    );
    expect(decodeEntities('&#xD800; &#0;')).toBe('\uFFFD \uFFFD'); // never a lone surrogate or a NUL
    expect(decodeEntities('&hellip; &nbsp; &mdash; &copy2 hy&shy;phen')).toBe('\u2026 \u00A0 \u2014 &copy2 hyphen');
  });

  test('turns LaTeX accents in names into Unicode and keeps math readable', () => {
    expect(latexToUnicode("Karolina Sta\\'nczak")).toBe('Karolina Stańczak');
    expect(latexToUnicode('G\\"{o}del, {\\\'E}cole, \\c{c}a, Erd\\H{o}s, \\v{S}imon, {\\ss}, \\o{}')).toBe(
      'Gödel, École, ça, Erdős, Šimon, ß, ø',
    );
    expect(latexToUnicode('Speed-ups of $O(n^2)$ and $\\alpha$-divergence \\& 50\\% fewer')).toBe(
      'Speed-ups of $O(n^2)$ and $\\alpha$-divergence & 50% fewer',
    );
  });

  test('cleanText does all of it on one line', () => {
    expect(cleanText("RAR$^2$: Retrieval-Augmented\n   Medical Reasoning &amp; Sta\\'nczak")).toBe(
      'RAR$^2$: Retrieval-Augmented Medical Reasoning & Stańczak',
    );
    expect(cleanText(undefined)).toBe('');
  });

  test('splits dc:creator into names', () => {
    expect(splitAuthors("Mehar Bhatia, Shravan Nayak, Karolina Sta\\'nczak")).toEqual([
      'Mehar Bhatia',
      'Shravan Nayak',
      'Karolina Stańczak',
    ]);
    expect(splitAuthors('A. One, B. Two and C. Three')).toEqual(['A. One', 'B. Two', 'C. Three']);
    expect(splitAuthors(undefined)).toEqual([]);
  });
});
