import { createProgress } from './progress';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream };
}

describe('progress on stderr', () => {
  it('writes plain lines when stderr is not a terminal (CI, logs)', () => {
    const { out, stream } = sink(false);
    const p = createProgress({ stream });
    const t = p.task('Ranking', 8);
    for (let i = 0; i < 8; i++) t.tick();
    t.done('40 candidates');
    p.note('nlp: posted');
    expect(out.join('')).toBe(
      'Ranking: 0/8\nRanking: 2/8\nRanking: 4/8\nRanking: 6/8\nRanking: 8/8 (40 candidates)\nnlp: posted\n',
    );
  });

  it('writes plain lines on a terminal too when bars are off (CI is set)', () => {
    const { out, stream } = sink(true);
    const t = createProgress({ stream, bars: false }).task('Ranking', 2);
    t.tick(2);
    t.done();
    expect(out.join('')).toBe('Ranking: 0/2\nRanking: 2/2\n');
  });

  it('is silent when disabled', () => {
    const { out, stream } = sink(false);
    const p = createProgress({ enabled: false, stream });
    p.task('x', 3).tick();
    p.note('y');
    expect(out).toEqual([]);
  });
});
