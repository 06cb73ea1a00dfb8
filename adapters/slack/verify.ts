/**
 * Slack's request signing (https://docs.slack.dev/authentication/verifying-requests-from-slack): every request to
 * /slack/events carries `x-slack-signature: v0=HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)` and
 * `x-slack-request-timestamp`. A request whose timestamp is more than five minutes from now is refused, so a
 * captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const MAX_REQUEST_AGE_SEC = 5 * 60;

export type VerifyResult = { ok: true } | { ok: false; reason: string };

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

export function verifySlackSignature(options: {
  signingSecret: string;
  headers: Record<string, string | undefined>;
  rawBody: Buffer | string;
  nowMs: number;
}): VerifyResult {
  const signature = header(options.headers, 'x-slack-signature');
  const stamp = header(options.headers, 'x-slack-request-timestamp');
  if (!signature || !stamp) return { ok: false, reason: 'missing x-slack-signature or x-slack-request-timestamp' };
  if (!/^\d{1,12}$/.test(stamp)) return { ok: false, reason: `x-slack-request-timestamp "${stamp}" is not a number` };
  const ageSec = Math.floor(options.nowMs / 1000) - Number(stamp);
  if (Math.abs(ageSec) > MAX_REQUEST_AGE_SEC) {
    return { ok: false, reason: `request timestamp is ${ageSec} s from now (more than ${MAX_REQUEST_AGE_SEC} s)` };
  }
  if (!signature.startsWith('v0=')) return { ok: false, reason: 'unknown signature version' };
  const body = typeof options.rawBody === 'string' ? options.rawBody : options.rawBody.toString('utf8');
  const expected = createHmac('sha256', options.signingSecret).update(`v0:${stamp}:${body}`).digest();
  const given = Buffer.from(signature.slice(3), 'hex');
  // Compare in constant time; a length mismatch is already a mismatch (and timingSafeEqual would throw).
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature mismatch' };
  }
  return { ok: true };
}
