import { disarmDiscord } from './text';

describe('disarmDiscord', () => {
  it('disarms everyone/here/user/role/channel mentions', () => {
    const out = disarmDiscord('@everyone @here <@123456789012345678> <@!1234> <@&987> <#555>');
    expect(out).not.toMatch(/@everyone|@here|<@\d|<@!\d|<@&\d|<#\d/);
  });
  it.each(['@everyone_team', '@heretofore', 'x@everyoneX', '@Here123'])('breaks %s glued to other text', (text) => {
    expect(disarmDiscord(text)).not.toMatch(/@(everyone|here)/i);
  });
});
