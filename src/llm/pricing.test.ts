import { parseConfig } from '../config/load';
import { costUsd, DEFAULT_PRICING, formatUsd, priceOf, pricingTable } from './pricing';

describe('llm.pricing', () => {
  it('prices a call per million prompt and completion tokens; a dated snapshot as its model', () => {
    const table = pricingTable(undefined);
    expect(costUsd(table, 'gpt-4o-mini', { prompt: 1_000_000, completion: 1_000_000 })).toBeCloseTo(0.75, 10);
    expect(costUsd(table, 'gpt-4o-mini', { prompt: 12_000, completion: 800 })).toBeCloseTo(0.00228, 10);
    expect(priceOf(table, 'gpt-4o-mini-2024-07-18')).toBe(DEFAULT_PRICING['gpt-4o-mini']);
    expect(priceOf(table, 'gpt-4o-2024-08-06')).toBe(DEFAULT_PRICING['gpt-4o']);
  });

  it('a model with no price costs nothing; the config adds and overrides prices', () => {
    expect(costUsd(pricingTable(undefined), 'llama3.1:8b', { prompt: 1e6, completion: 1e6 })).toBe(0);
    const config = parseConfig(
      {
        digests: [{ name: 'nlp', categories: ['cs.CL'], interests: 'x' }],
        llm: {
          pricing: { 'llama3.1:8b': { prompt: 0.05, completion: 0.1 }, 'gpt-4o-mini': { prompt: 1, completion: 2 } },
        },
      },
      'test',
    );
    const table = pricingTable(config.llm.pricing);
    expect(costUsd(table, 'llama3.1:8b', { prompt: 1e6, completion: 1e6 })).toBeCloseTo(0.15, 10);
    expect(costUsd(table, 'gpt-4o-mini', { prompt: 1e6, completion: 0 })).toBe(1);
    expect(table['gpt-4o']).toEqual(DEFAULT_PRICING['gpt-4o']);
  });

  it('refuses a price that is not two non-negative numbers, naming the field', () => {
    expect(() =>
      parseConfig(
        { digests: [{ name: 'nlp', categories: ['cs.CL'], interests: 'x' }], llm: { pricing: { m: { prompt: -1 } } } },
        'test',
      ),
    ).toThrow(/llm\.pricing/);
  });

  it('shows a cost in dollars', () => {
    expect(formatUsd(0.00228)).toBe('$0.0023');
    expect(formatUsd(1.234)).toBe('$1.23');
    expect(formatUsd(0)).toBe('$0.0000');
  });
});
