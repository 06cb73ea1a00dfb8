import { parseArxivId, tryParseArxivId } from './ids';

describe('arXiv ids', () => {
  it.each([
    ['2510.26707', { id: '2510.26707' }],
    ['2510.26707v2', { id: '2510.26707', version: 2 }],
    ['arXiv:2510.26707v1', { id: '2510.26707', version: 1 }],
    ['0704.0001', { id: '0704.0001' }],
    ['hep-th/9901001', { id: 'hep-th/9901001' }],
    ['math.GT/0309136v1', { id: 'math.GT/0309136', version: 1 }],
    ['https://arxiv.org/abs/2510.26707', { id: '2510.26707' }],
    ['http://arxiv.org/abs/2510.26143v1', { id: '2510.26143', version: 1 }],
    ['https://arxiv.org/pdf/2510.26707v3.pdf', { id: '2510.26707', version: 3 }],
    ['https://arxiv.org/pdf/2510.26707', { id: '2510.26707' }],
    ['https://arxiv.org/html/2510.26707v1', { id: '2510.26707', version: 1 }],
    ['https://export.arxiv.org/abs/hep-th/9901001', { id: 'hep-th/9901001' }],
    ['  2510.26707  ', { id: '2510.26707' }],
  ])('parses %s', (input, expected) => {
    expect(parseArxivId(input)).toEqual(expected);
  });

  it.each([
    '',
    'hello',
    '2510.267',
    '2513.12345',
    '1412.12345',
    '2510.26707v0',
    'https://example.com/abs/2510.26707',
    'hep-th/990100',
  ])('rejects %p with a one-line message showing an example', (input) => {
    expect(tryParseArxivId(input)).toBeUndefined();
    expect(() => parseArxivId(input)).toThrow(/not an arXiv id: ".*" \(expected e\.g\. 2510\.26707/);
  });
});
