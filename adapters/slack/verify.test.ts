import { signSlackRequest } from '../../test/fakes/slack-server';
import { verifySlackSignature } from './verify';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const NOW_SEC = 1531420618;

describe('verifySlackSignature', () => {
  it("accepts Slack's documented example request", () => {
    // From Slack's "Verifying requests from Slack" guide.
    const headers = {
      'x-slack-request-timestamp': String(NOW_SEC),
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    };
    expect(verifySlackSignature({ signingSecret: SECRET, headers, rawBody: BODY, nowMs: NOW_SEC * 1000 })).toEqual({
      ok: true,
    });
  });

  it('accepts what the test signer produces and refuses any change to the body', () => {
    const headers = signSlackRequest(SECRET, BODY, NOW_SEC);
    expect(
      verifySlackSignature({ signingSecret: SECRET, headers, rawBody: Buffer.from(BODY), nowMs: NOW_SEC * 1000 }).ok,
    ).toBe(true);
    expect(
      verifySlackSignature({ signingSecret: SECRET, headers, rawBody: `${BODY}x`, nowMs: NOW_SEC * 1000 }),
    ).toEqual({
      ok: false,
      reason: 'signature mismatch',
    });
  });

  it('refuses timestamps more than five minutes away, either way', () => {
    const headers = signSlackRequest(SECRET, BODY, NOW_SEC);
    const at = (deltaSec: number) =>
      verifySlackSignature({ signingSecret: SECRET, headers, rawBody: BODY, nowMs: (NOW_SEC + deltaSec) * 1000 }).ok;
    expect(at(299)).toBe(true);
    expect(at(301)).toBe(false);
    expect(at(-301)).toBe(false);
  });

  it('refuses missing, malformed and wrong-length signatures', () => {
    const check = (headers: Record<string, string | undefined>) =>
      verifySlackSignature({ signingSecret: SECRET, headers, rawBody: BODY, nowMs: NOW_SEC * 1000 });
    expect(check({})).toMatchObject({ ok: false });
    expect(check({ 'x-slack-request-timestamp': 'yesterday', 'x-slack-signature': 'v0=ab' })).toMatchObject({
      ok: false,
      reason: 'x-slack-request-timestamp "yesterday" is not a number',
    });
    expect(check({ 'x-slack-request-timestamp': String(NOW_SEC), 'x-slack-signature': 'v1=abcd' })).toMatchObject({
      ok: false,
    });
    expect(check({ 'x-slack-request-timestamp': String(NOW_SEC), 'x-slack-signature': 'v0=abcd' })).toEqual({
      ok: false,
      reason: 'signature mismatch',
    });
  });
});
