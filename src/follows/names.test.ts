/**
 * Author names as arXiv writes them (the names below are real, from ../shared/arxiv's listings): the same person
 * matched across accents, case, initials, "Last, First" and hyphens; different people sharing a surname kept apart.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { authorMatcher, nameKey, parseName, sameAuthor } from './names';

describe('sameAuthor: one person, written many ways', () => {
  test.each([
    ['Yann LeCun', 'Yann LeCun'],
    ['Y. LeCun', 'Yann LeCun'],
    ['yann lecun', 'Yann LeCun'],
    ['LeCun, Yann', 'Yann LeCun'],
    ['LeCun, Y.', 'Yann LeCun'],
    // Accents and letters NFD keeps whole.
    ['Karolina Stanczak', 'Karolina Stańczak'],
    ['Stanczak, Karolina', 'Karolina Stańczak'],
    ['Anais Halin', 'Anaïs Halin'],
    ['Stjepan Pozgaj', 'Stjepan Požgaj'],
    ['Aytug Onan', 'Aytuğ Onan'],
    ['Ozge Nur Subas', 'Özge Nur Subas'],
    ['Soren Hauberg', 'Søren Hauberg'],
    // Hyphens: in surnames, in given names, as initials.
    ['Jonas Wiedermann-Moller', 'Jonas Wiedermann-Möller'],
    ['Marina Sanchez Torron', 'Marina Sánchez-Torrón'],
    ['M. Sánchez-Torrón', 'Marina Sánchez-Torrón'],
    ['Jorge Martinez-Gil', 'Jorge Martínez Gil'],
    ['C.-Y. Wei', 'Chen-Yu Wei'],
    ['Chen Yu Wei', 'Chen-Yu Wei'],
    ['Tat-Seng Chua', 'Tat-Seng Chua'],
    ['T.-S. Chua', 'Tat-Seng Chua'],
    // Middle names and initials that one side leaves out.
    ['Jesse Rodriguez', 'Jesse A. Rodríguez'],
    ['J. A. Rodriguez', 'Jesse A. Rodríguez'],
    ['Adrienne Campbell-Washburn', 'Adrienne E. Campbell-Washburn'],
    ['Y. H. P. P. Priyadarshana', 'Y. H. P. P. Priyadarshana'],
    ['Laurens van der Maaten', 'L. van der Maaten'],
    ['John Smith, Jr.', 'John Smith'],
  ])('%s follows %s', (followed, author) => {
    expect(sameAuthor(followed, author)).toBe(true);
    expect(sameAuthor(author, followed)).toBe(true);
  });
});

describe('sameAuthor: different people sharing a surname', () => {
  test.each([
    ['Yoshua Bengio', 'Samy Bengio'],
    ['Y. Bengio', 'Samy Bengio'],
    ['Yang Zhou', 'Yingbo Zhou'],
    ['Nianjun Zhou', 'Yanfeng Zhou'],
    ['Wei Wang', 'Wei-Yao Wang'],
    ['Chen Wei', 'Chen-Yu Wei'],
    ['C. Wei', 'Chen-Yu Wei'],
    ['J. A. Smith', 'J. B. Smith'],
    ['Fang Wu', 'Feijie Wu'],
    // A surname alone names nobody in particular.
    ['LeCun', 'Yann LeCun'],
  ])('%s is not %s', (followed, author) => {
    expect(sameAuthor(followed, author)).toBe(false);
    expect(sameAuthor(author, followed)).toBe(false);
  });
});

test('parseName reads given names and surname', () => {
  expect(parseName('LeCun, Yann')).toMatchObject({ given: ['yann'], surname: 'lecun' });
  expect(parseName('J.-P. Dupont')).toMatchObject({ given: ['j', 'p'], joined: [false, true], surname: 'dupont' });
  expect(parseName('Marina Sánchez-Torrón')).toMatchObject({ given: ['marina'], surname: 'sancheztorron' });
  expect(nameKey('Stańczak, Karolina')).toBe(nameKey('karolina  stanczak'));
});

const DATA = path.resolve(__dirname, '../../../shared/arxiv/arxiv-real.jsonl');
const maybe = existsSync(DATA) ? test : test.skip;
if (!existsSync(DATA)) console.warn(`names.test: ${DATA} is absent; the real-listing check is skipped`);

maybe('on 16,336 real papers: no two full names with one surname and different first initials match', () => {
  const names = new Set<string>();
  for (const line of readFileSync(DATA, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    for (const a of (JSON.parse(line) as { authors?: string[] }).authors ?? []) names.add(a);
  }
  const bySurname = new Map<string, string[]>();
  for (const n of names) {
    const p = parseName(n);
    if (!p || p.given.length === 0) continue;
    const list = bySurname.get(p.surname) ?? [];
    list.push(n);
    bySurname.set(p.surname, list);
  }
  let pairs = 0;
  const wrong: string[] = [];
  for (const list of bySurname.values()) {
    if (list.length > 60) continue; // the commonest surnames: enough pairs from the rest
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i] ?? '';
        const b = list[j] ?? '';
        if (parseName(a)?.given[0]?.[0] === parseName(b)?.given[0]?.[0]) continue;
        pairs += 1;
        if (sameAuthor(a, b)) wrong.push(`${a} ~ ${b}`);
      }
  }
  expect(pairs).toBeGreaterThan(90_000);
  expect(wrong).toEqual([]);
  // The matcher that files names by surname answers what sameAuthor answers, name for name.
  const all = [...names];
  const picked = all.filter((_, i) => i % 613 === 0);
  const followed = picked.flatMap((n) => [n, n.replace(/^(\S)\S*/, '$1.')]);
  const match = authorMatcher(followed);
  let matched = 0;
  for (const author of [...picked, ...all.filter((_, i) => i % 61 === 0)]) {
    const expected = followed.filter((f) => sameAuthor(f, author));
    expect([author, match(author).sort()]).toEqual([author, [...new Set(expected)].sort()]);
    if (expected.length) matched += 1;
  }
  expect(matched).toBeGreaterThan(picked.length);
  // And every real name matches its own "Last, First" form.
  for (const n of [...names].slice(0, 3000)) {
    const p = parseName(n);
    if (!p || p.given.length === 0 || /,/.test(n)) continue;
    const words = n.split(' ');
    const last = words[words.length - 1] ?? '';
    expect([n, sameAuthor(`${last}, ${words.slice(0, -1).join(' ')}`, n)]).toEqual([n, true]);
  }
});
