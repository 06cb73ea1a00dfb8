import { MAX_QUESTION_CHARS, normalizeQuestion, parseQuestion } from './question';

describe('parseQuestion', () => {
  test('a question alone names no paper', () => {
    expect(parseQuestion('  Which datasets   does it use? ')).toEqual({ question: 'Which datasets does it use?' });
  });

  test('a paper by its number in the digest, at the start', () => {
    expect(parseQuestion('#2 which datasets?')).toEqual({
      paper: { kind: 'index', index: 2 },
      question: 'which datasets?',
    });
    expect(parseQuestion('paper 3: how big is the model?')).toEqual({
      paper: { kind: 'index', index: 3 },
      question: 'how big is the model?',
    });
    // A number inside the question is part of it.
    expect(parseQuestion('What is the accuracy on 2 benchmarks?')).toEqual({
      question: 'What is the accuracy on 2 benchmarks?',
    });
    expect(parseQuestion('#0 what?').paper).toBeUndefined();
  });

  test('a paper by arXiv id or URL anywhere, Slack-wrapped links too', () => {
    expect(parseQuestion('2510.26707 which datasets?')).toEqual({
      paper: { kind: 'id', ref: { id: '2510.26707' } },
      question: 'which datasets?',
    });
    expect(parseQuestion('which datasets does 2510.26707v2 use?').paper).toEqual({
      kind: 'id',
      ref: { id: '2510.26707', version: 2 },
    });
    expect(parseQuestion('https://arxiv.org/abs/2510.26707 what is new?')).toEqual({
      paper: { kind: 'id', ref: { id: '2510.26707' } },
      question: 'what is new?',
    });
  });

  test('a very long question is cut at a word', () => {
    const q = parseQuestion(`why ${'really '.repeat(200)}?`).question;
    expect(q.length).toBeLessThanOrEqual(MAX_QUESTION_CHARS);
    expect(q.endsWith('really')).toBe(true);
  });
});

describe('normalizeQuestion', () => {
  test('case, white space and punctuation do not change the question', () => {
    const a = normalizeQuestion('Which datasets does it use?');
    expect(normalizeQuestion('  which DATASETS   does it use ')).toBe(a);
    expect(normalizeQuestion('Which datasets, does it use?!')).toBe(a);
    expect(normalizeQuestion('Ｗhich datasets does it use？')).toBe(a); // full-width forms (NFKC)
    expect(normalizeQuestion('Which models does it use?')).not.toBe(a);
  });
});
