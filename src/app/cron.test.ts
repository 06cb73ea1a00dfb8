import { lastFiringToday, nextFiring } from './cron';

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

describe('cron arithmetic (croner)', () => {
  it('keeps classic cron day rules: day-of-month OR day-of-week when both are set; 7 is Sunday', () => {
    const from = Date.parse('2025-10-30T00:00:00Z'); // a Thursday
    expect(iso(nextFiring('0 9 1 * *', 'UTC', from))).toBe('2025-11-01T09:00:00.000Z');
    const first = nextFiring('0 9 1 * 1', 'UTC', from) ?? 0;
    expect(iso(first)).toBe('2025-11-01T09:00:00.000Z'); // the 1st (a Saturday)
    expect(iso(nextFiring('0 9 1 * 1', 'UTC', first))).toBe('2025-11-03T09:00:00.000Z'); // then a Monday
    expect(iso(nextFiring('0 9 * * 7', 'UTC', from))).toBe('2025-11-02T09:00:00.000Z');
  });

  it('a firing at the instant itself is the last one today, and the next one is strictly later', () => {
    const at = Date.parse('2025-10-30T12:30:00Z');
    expect(iso(lastFiringToday('30 8 * * *', 'America/New_York', at))).toBe('2025-10-30T12:30:00.000Z');
    expect(iso(nextFiring('30 8 * * *', 'America/New_York', at))).toBe('2025-10-31T12:30:00.000Z');
  });

  it("yesterday's firing is not today's, in the schedule's own zone", () => {
    // 03:00 UTC on the 31st is still the 30th in New York, where the 08:30 firing of the 30th counts.
    expect(iso(lastFiringToday('30 8 * * *', 'America/New_York', Date.parse('2025-10-31T03:00:00Z')))).toBe(
      '2025-10-30T12:30:00.000Z',
    );
    // 05:00 UTC on the 31st is 01:00 in New York: today's 08:30 has not come yet.
    expect(lastFiringToday('30 8 * * *', 'America/New_York', Date.parse('2025-10-31T05:00:00Z'))).toBeUndefined();
  });

  it('looks no further than the days it is given', () => {
    expect(nextFiring('0 9 29 2 *', 'UTC', Date.parse('2025-03-01T00:00:00Z'), 30)).toBeUndefined();
    expect(iso(nextFiring('0 9 29 2 *', 'UTC', Date.parse('2027-03-01T00:00:00Z')))).toBe('2028-02-29T09:00:00.000Z');
    expect(nextFiring('0 9 29 2 *', 'UTC', Date.parse('2025-03-01T00:00:00Z'))).toBeUndefined(); // 400 days
  });
});
