import { escapeSlack } from './escape';

describe('escapeSlack', () => {
  it('escapes Slack special mentions and user mentions', () => {
    const out = escapeSlack('Hi <!channel> and <!here|here> <@U12345> @everyone & <#C1>');
    expect(out).not.toMatch(/<!channel>|<!here|<@U|<#C/);
    expect(out).toContain('&lt;!channel&gt;');
    expect(out).not.toMatch(/@everyone/);
  });
  it.each(['@everyone_team', '@heretofore', 'x@everyoneX', '@Here123'])('breaks %s glued to other text', (text) => {
    expect(escapeSlack(text)).not.toMatch(/@(everyone|here)/i);
  });
  it('breaks @channel glued to a word', () => {
    expect(escapeSlack('see @channels')).not.toMatch(/@channel/);
  });
});
