import { displayEmoji, isVoteEmoji, neutralEmoji, resolveVoteEmoji, shortNames } from './emoji';

describe('vote emoji in one neutral form', () => {
  it.each([
    ['+1', '👍'],
    [':+1:', '👍'],
    ['thumbsup', '👍'],
    ['👍', '👍'],
    ['👍🏽', '👍'],
    ['❤️', '❤'],
    ['heart', '❤'],
    [':partyparrot:', 'partyparrot'],
  ])('%s is %s', (given, neutral) => {
    expect(neutralEmoji(given)).toBe(neutral);
  });

  it('resolves the configured emoji each once and matches any form of them', () => {
    const allowed = resolveVoteEmoji(['+1', 'thumbsup', ':partyparrot:']);
    expect(allowed).toEqual(['👍', 'partyparrot']);
    expect(isVoteEmoji('👍🏿', allowed)).toBe(true);
    expect(isVoteEmoji('partyparrot', allowed)).toBe(true);
    expect(isVoteEmoji('-1', allowed)).toBe(false);
  });

  it('names a neutral emoji for platforms that use short names, and shows the character', () => {
    expect(shortNames('👍')).toEqual(['+1', 'thumbsup']);
    expect(shortNames('partyparrot')).toEqual([]);
    expect(displayEmoji(['heart'])).toBe('❤️');
    expect(displayEmoji(['partyparrot'])).toBe('partyparrot');
  });
});
