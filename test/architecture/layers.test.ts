import { resolve } from 'node:path';
import { checkLayers } from '../../scripts/check-layers';

describe('the house rules', () => {
  it('imports run down the layers, with no cycle, and only the composition root imports adapters/', () => {
    const violations = checkLayers(resolve(__dirname, '../..')).map((v) => `${v.from} -> ${v.to}: ${v.why}`);
    expect(violations).toEqual([]);
  });
});
