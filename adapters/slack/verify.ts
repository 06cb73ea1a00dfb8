/**
 * Slack's request signing (https://docs.slack.dev/authentication/verifying-requests-from-slack): every request to
 * /slack/events carries `x-slack-signature: v0=HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)` and
 * `x-slack-request-timestamp`. The signature and staleness are checked by bolt's own `verifySlackRequest` (constant
 * time comparison included); around it, headers are looked up case-insensitively, a malformed timestamp gets a
 * clear reason, and a timestamp more than five minutes in the future is refused too (bolt checks the past only), so
 * a captured request cannot be replayed later.
 */
import { verifySlackRequest } from '@slack/bolt';

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
  try {
    verifySlackRequest({
      signingSecret: options.signingSecret,
      body: typeof options.rawBody === 'string' ? options.rawBody : options.rawBody.toString('utf8'),
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(stamp) },
      nowMilliseconds: options.nowMs,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: message.replace(/^Failed to verify authenticity:\s*/, '') };
  }
  return { ok: true };
}
