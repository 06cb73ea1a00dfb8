import { backoffMs, decideRetry, isTransientStatus, MAX_RETRY_AFTER_MS, parseRetryAfter, retryAfterOf } from './retry';

const policy = { retries: 3, backoffMs: 1000, maxBackoffMs: 8000 };

describe('the retry policy', () => {
  it('parses Retry-After in seconds and as an HTTP date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter('0', 0)).toBe(0);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(new Date(1000).toUTCString(), 4000)).toBe(0); // a date in the past: at once
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('', 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('reads retry-after-ms first, then retry-after (seconds or date)', () => {
    const now = Date.parse('2025-10-30T12:00:00Z');
    expect(retryAfterOf(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(retryAfterOf(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterOf(new Headers({ 'retry-after': 'Thu, 30 Oct 2025 12:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterOf(new Headers({}), now)).toBeUndefined();
    expect(retryAfterOf(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially up to the cap, with equal jitter', () => {
    const top = { ...policy, random: () => 1 };
    expect([0, 1, 2, 3, 4].map((a) => backoffMs(a, top))).toEqual([1000, 2000, 4000, 8000, 8000]);
    const bottom = { ...policy, random: () => 0 };
    expect([0, 1, 2, 3, 4].map((a) => backoffMs(a, bottom))).toEqual([500, 1000, 2000, 4000, 4000]);
    for (let i = 0; i < 50; i++) {
      const d = backoffMs(2, policy);
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it('retries no answer, 408, 409, 429 and 5xx; nothing else', () => {
    expect([undefined, 408, 409, 429, 500, 502, 503, 504].every(isTransientStatus)).toBe(true);
    expect([400, 401, 403, 404, 413, 422].some(isTransientStatus)).toBe(false);
  });

  it('waits a Retry-After in full, backs off without one, and gives up after the retries', () => {
    const top = { ...policy, random: () => 1 };
    expect(decideRetry(0, { status: 429, retryAfterMs: 120_000 }, top)).toEqual({ retry: true, delayMs: 120_000 });
    expect(decideRetry(1, { status: 503 }, top)).toEqual({ retry: true, delayMs: 2000 });
    expect(decideRetry(0, { status: undefined }, top)).toEqual({ retry: true, delayMs: 1000 });
    expect(decideRetry(3, { status: 503 }, top)).toEqual({ retry: false });
    expect(decideRetry(0, { status: 404 }, top)).toEqual({ retry: false });
    expect(decideRetry(0, { status: 429, transient: false }, top)).toEqual({ retry: false });
  });

  it('gives up at once when the server asks for more than 10 minutes, and says so', () => {
    expect(decideRetry(0, { status: 429, retryAfterMs: MAX_RETRY_AFTER_MS }, policy)).toEqual({
      retry: true,
      delayMs: MAX_RETRY_AFTER_MS,
    });
    expect(decideRetry(0, { status: 429, retryAfterMs: 3_600_000 }, policy)).toEqual({
      retry: false,
      reason: 'asked to retry after 3600 s',
    });
  });
});
