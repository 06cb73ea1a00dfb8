/** bolt's and the WebClient's Logger interface over our pino logger, so Slack's own lines land in the same log. */
import { format } from 'node:util';
import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../../src/app/log';

export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'slack' });
  // Levels are set by our own config (LOG_LEVEL); bolt's attempts to change them are ignored.
  return {
    debug: (...msg: unknown[]) => child.debug(format(...msg)),
    info: (...msg: unknown[]) => child.info(format(...msg)),
    warn: (...msg: unknown[]) => child.warn(format(...msg)),
    error: (...msg: unknown[]) => child.error(format(...msg)),
    setLevel: () => {},
    getLevel: () => {
      const level = child.level;
      if (level === 'debug' || level === 'trace') return LogLevel.DEBUG;
      if (level === 'info') return LogLevel.INFO;
      if (level === 'warn') return LogLevel.WARN;
      return LogLevel.ERROR;
    },
    setName: () => {},
  };
}
