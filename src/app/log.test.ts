import { Writable } from 'node:stream';
import { secretValues } from '../config/settings';
import { createLogger, redactSecrets } from './log';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, stream };
}

describe('structured logs', () => {
  it('writes JSON lines and never the secrets of the environment', () => {
    const { lines, stream } = capture();
    const env = { OPENAI_API_KEY: 'sk-live-abcdef123456', SLACK_BOT_TOKEN: 'xoxb-1-2-secretvalue', LOG_LEVEL: 'info' };
    const log = createLogger({ level: env.LOG_LEVEL, secrets: secretValues(env), destination: stream as never });
    log.info({ token: 'xoxb-1-2-secretvalue', apiKey: 'sk-live-abcdef123456', channel: 'C1' }, 'posting');
    log.warn('request failed with key sk-live-abcdef123456 in the url');
    const out = lines.join('');
    expect(out).not.toContain('sk-live-abcdef123456');
    expect(out).not.toContain('xoxb-1-2-secretvalue');
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({ level: 30, app: 'arxiv-digest', channel: 'C1', msg: 'posting', token: '[redacted]' });
    expect(JSON.parse(lines[1]!).msg).toBe('request failed with key [redacted] in the url');
  });

  it('redacts every occurrence', () => {
    expect(redactSecrets('a SECRET b SECRET', ['SECRET'])).toBe('a [redacted] b [redacted]');
  });
});

describe('secrets inside logged objects', () => {
  it('scrubs secret values from nested fields and errors, not only from the message', () => {
    const { lines, stream } = capture();
    const env = { OPENAI_API_KEY: 'sk-live-abcdef123456', DISCORD_TOKEN: 'MTAx.discord.tokenvalue', LOG_LEVEL: 'info' };
    const log = createLogger({ level: env.LOG_LEVEL, secrets: secretValues(env), destination: stream as never });
    const err = new Error('401 Incorrect API key provided: sk-live-abcdef123456');
    log.warn({ err, request: { url: 'http://x/?q=1', detail: 'Bot MTAx.discord.tokenvalue refused' } }, 'llm failed');
    log.info({ req: { headers: { Authorization: 'Bearer abc' } } }, 'request');
    const out = lines.join('');
    expect(out).not.toContain('sk-live-abcdef123456');
    expect(out).not.toContain('MTAx.discord.tokenvalue');
    expect(out).not.toContain('Bearer abc');
    const first = JSON.parse(lines[0]!);
    expect(first.err.message).toBe('401 Incorrect API key provided: [redacted]');
    expect(first.err.type).toBe('Error');
    expect(first.request).toEqual({ url: 'http://x/?q=1', detail: 'Bot [redacted] refused' });
  });
});
