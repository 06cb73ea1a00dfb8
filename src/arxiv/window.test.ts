import { UserInputError } from '../app/errors';
import { dayIn, gmtStamp, isWeekend, parseDay, submissionWindow, submittedDateClause, zonedInstant } from './window';

const clause = (date: string) => submittedDateClause(submissionWindow(parseDay(date)));

describe('announcement days and submission windows', () => {
  test('Thursday 2025-10-30 covers Tue 14:00 EDT to Wed 14:00 EDT (18:00 GMT)', () => {
    expect(clause('2025-10-30')).toBe('submittedDate:[202510281800 TO 202510291800]');
  });

  test("Monday's listing covers Thursday 14:00 to Friday 14:00", () => {
    // Monday 2025-10-27: Thu 2025-10-23 14:00 EDT → Fri 2025-10-24 14:00 EDT.
    expect(clause('2025-10-27')).toBe('submittedDate:[202510231800 TO 202510241800]');
  });

  test("Tuesday's listing covers Friday 14:00 to Monday 14:00, across the weekend", () => {
    expect(clause('2025-10-28')).toBe('submittedDate:[202510241800 TO 202510271800]');
  });

  test('DST: a window across the November change starts at 18:00 GMT and ends at 19:00 GMT', () => {
    // Daylight time ends Sunday 2025-11-02. Tuesday 2025-11-04: Fri 10-31 14:00 EDT → Mon 11-03 14:00 EST.
    expect(clause('2025-11-04')).toBe('submittedDate:[202510311800 TO 202511031900]');
    // Winter: 14:00 EST is 19:00 GMT on both ends.
    expect(clause('2025-12-11')).toBe('submittedDate:[202512091900 TO 202512101900]');
    // Daylight time begins Sunday 2026-03-08. Tuesday 2026-03-10: Fri 03-06 14:00 EST → Mon 03-09 14:00 EDT.
    expect(clause('2026-03-10')).toBe('submittedDate:[202603061900 TO 202603091800]');
  });

  test('weekends announce nothing', () => {
    expect(isWeekend(parseDay('2025-11-01'))).toBe(true);
    expect(isWeekend(parseDay('2025-11-02'))).toBe(true);
    expect(isWeekend(parseDay('2025-10-31'))).toBe(false);
    expect(() => submissionWindow(parseDay('2025-11-01'))).toThrow(RangeError);
  });

  test('an invalid date is a UserInputError naming the value and the expected form', () => {
    for (const bad of ['2025-13-01', '2025-02-30', '30.10.2025', 'yesterday', '2025-1-5']) {
      expect(() => parseDay(bad)).toThrow(UserInputError);
      expect(() => parseDay(bad)).toThrow(`--date "${bad}" is not a date (expected YYYY-MM-DD, e.g. 2025-10-30)`);
    }
    expect(parseDay('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
  });

  test('the channel pubDate maps to the New York calendar day', () => {
    expect(dayIn(Date.parse('Thu, 30 Oct 2025 00:00:00 -0400'))).toBe('2025-10-30');
    expect(dayIn(Date.parse('2025-10-31T03:59:00Z'))).toBe('2025-10-30');
    expect(dayIn(Date.parse('2025-12-01T04:59:00Z'))).toBe('2025-11-30');
  });

  test('zoned instants and GMT stamps', () => {
    expect(gmtStamp(zonedInstant({ year: 2025, month: 7, day: 1 }, 14, 0))).toBe('202507011800');
    expect(gmtStamp(zonedInstant({ year: 2025, month: 1, day: 15 }, 14, 30))).toBe('202501151930');
  });
});
