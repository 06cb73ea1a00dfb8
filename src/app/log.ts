/**
 * Structured logs (pino) to stderr. Secrets never reach a log line: known secret fields are redacted, and
 * `redactSecrets` scrubs the values of secret environment variables out of free text.
 */
import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Environment variables that hold secrets, known by their names: `…_TOKEN`, `…_SECRET`, `…_KEY`, `…_PASSWORD`
 * (OPENAI_API_KEY, every chat platform's tokens and signing secrets, whatever the platform). Their values are
 * scrubbed from log lines (and the variables cleared in tests).
 */
export const SECRET_ENV_NAME = /(?:^|_)(?:TOKEN|SECRET|KEY|PASSWORD)$/;

/** The names of the secret variables set in `env`. */
export function secretEnvNames(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env).filter((k) => SECRET_ENV_NAME.test(k));
}

/**
 * The logger. `secrets` are the values to scrub from every line (the composition root passes those of the secret
 * variables, src/config/settings.ts); `level` defaults to info.
 */
export function createLogger(
  options: { level?: string; secrets?: readonly string[]; destination?: pino.DestinationStream } = {},
): Logger {
  const secrets = [...(options.secrets ?? [])];
  const level = options.level ?? 'info';
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
          'password',
          '*.password',
          '*.authorization',
          '*.Authorization',
          '*.headers.authorization',
          '*.headers.Authorization',
          '*.headers["x-api-key"]',
        ],
        censor: '[redacted]',
      },
      hooks: {
        logMethod(args, method) {
          if (secrets.length === 0) return method.apply(this, args);
          // Objects too: an SDK error's message ("Incorrect API key provided: sk-…") or a URL in a field.
          const scrubbed = args.map((a) => scrubValue(a, secrets, 0));
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

/** A copy of a log argument with every secret value replaced; Errors keep their type, message and stack. */
function scrubValue(value: unknown, secrets: string[], depth: number): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets, depth + 1));
  if (value instanceof Error) {
    const copy = new Error(redactSecrets(value.message, secrets), {
      ...(value.cause === undefined ? {} : { cause: scrubValue(value.cause, secrets, depth + 1) }),
    });
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : redactSecrets(value.stack, secrets);
    for (const [k, v] of Object.entries(value))
      (copy as unknown as Record<string, unknown>)[k] = scrubValue(v, secrets, depth + 1);
    return copy;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // class instances (Headers, Buffers): as pino shows them
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, secrets, depth + 1);
  return out;
}

/** A logger that writes nothing, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
