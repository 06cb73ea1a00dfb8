/**
 * Structured logs (pino) to stderr. Secrets never reach a log line: known secret fields are redacted, and
 * `redactSecrets` scrubs the values of secret environment variables out of free text.
 */
import pino from 'pino';

export type Logger = pino.Logger;

/** Environment variables that hold secrets: scrubbed from log lines (and cleared in tests). */
export const SECRET_ENV = [
  'OPENAI_API_KEY',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'DISCORD_TOKEN',
  'DISCORD_PUBLIC_KEY',
];

export function createLogger(
  options: { level?: string; env?: NodeJS.ProcessEnv; destination?: pino.DestinationStream } = {},
): Logger {
  const env = options.env ?? process.env;
  const level = options.level ?? env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info');
  return pino(
    {
      level,
      base: { app: 'arxiv-digest' },
      redact: {
        paths: [
          'token',
          'apiKey',
          'authorization',
          'headers.authorization',
          '*.token',
          '*.apiKey',
          'secret',
          '*.secret',
        ],
        censor: '[redacted]',
      },
      hooks: {
        logMethod(args, method) {
          const secrets = SECRET_ENV.map((k) => env[k]).filter((v): v is string => !!v && v.length >= 6);
          if (secrets.length === 0) return method.apply(this, args);
          const scrubbed = args.map((a) => (typeof a === 'string' ? redactSecrets(a, secrets) : a));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination(2),
  );
}

export function redactSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out;
}

/** A logger that writes nothing, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
