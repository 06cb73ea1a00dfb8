/**
 * A logger that keeps its lines (pino's JSON, parsed) so a test can wait for the line that says something happened,
 * such as a duplicate delivery being recognised, before asserting that nothing more followed.
 */
import pino from 'pino';
import type { Logger } from '../../src/app/log';
import { until } from './wait';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface RecordingLogger {
  log: Logger;
  lines: LogLine[];
  /** Resolves once `count` lines with this message have been written. */
  said(msg: string, count?: number): Promise<void>;
  count(msg: string): number;
}

export function recordingLogger(level = 'debug'): RecordingLogger {
  const lines: LogLine[] = [];
  const log = pino({ level }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) });
  const count = (msg: string) => lines.filter((l) => l.msg === msg).length;
  return {
    log,
    lines,
    count,
    said: (msg, n = 1) => until(`the log line "${msg}" (${n})`, () => count(msg) >= n),
  };
}
