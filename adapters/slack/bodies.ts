/**
 * What Slack may send to `POST /slack/events`, as zod schemas: the Events API envelope (url_verification,
 * event_callback, app_rate_limited), slash commands (form fields) and interactive payloads (a form field `payload`
 * holding JSON). A signed body is checked against them before anything reads it; anything else is refused with
 * 400 and a short reason naming the field (a correctly signed but malformed body is a bug or a probe, never a
 * reason for a 500 and a retry storm from Slack). Unknown extra fields are kept: Slack adds fields over time.
 */
import { z } from 'zod';

const id = z.string().min(1).max(255);

/** A slash command, as its form fields (a repeated field arrives as an array and is refused). */
export const slashCommandSchema = z.looseObject({
  command: z.string().regex(/^\/[\w.-]{1,64}$/, 'expected a command such as /critique'),
  text: z.string().max(10_000).optional(),
  user_id: id,
  channel_id: id,
  team_id: id.optional(),
  response_url: z.url().optional(),
  trigger_id: z.string().max(255).optional(),
});

const reactionEvent = z.looseObject({
  type: z.enum(['reaction_added', 'reaction_removed']),
  user: id,
  reaction: z.string().min(1).max(255),
  item: z
    .looseObject({ type: z.string().min(1).max(64), channel: id.optional(), ts: id.optional() })
    .refine((item) => item.type !== 'message' || (item.channel && item.ts), 'a message item needs channel and ts'),
  event_ts: z.string().max(64).optional(),
});

const anyEvent = z.looseObject({ type: z.string().min(1).max(128) });

const envelopeSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('url_verification'), challenge: z.string().min(1).max(1000) }),
  z.looseObject({
    type: z.literal('event_callback'),
    team_id: id.optional(),
    api_app_id: id.optional(),
    event_id: id.optional(),
    event: anyEvent,
  }),
  z.looseObject({ type: z.literal('app_rate_limited') }),
]);

/**
 * An interactive payload: a card's buttons and menu (block_actions), the Ask… form (view_submission), the App
 * Home's buttons (adapters/slack/interactive.ts). What the adapter reads is bounded here; the rest is kept.
 */
const interactionSchema = z.looseObject({
  type: z.string().min(1).max(128),
  user: z.looseObject({ id }).optional(),
  team: z.looseObject({ id }).nullable().optional(),
  trigger_id: z.string().max(255).optional(),
  actions: z
    .array(z.looseObject({ action_id: z.string().min(1).max(255), value: z.string().max(2000).optional() }))
    .max(25)
    .optional(),
  view: z
    .looseObject({
      id: z.string().max(255).optional(),
      callback_id: z.string().max(255).optional(),
      private_metadata: z.string().max(3000).optional(),
    })
    .optional(),
});

export type SlackBody =
  | { kind: 'command'; body: Record<string, unknown> }
  | { kind: 'envelope'; body: Record<string, unknown> }
  | { kind: 'interaction'; body: Record<string, unknown> };

/** The first problem zod found, short: `event.item: a message item needs channel and ts`. */
export function shortReason(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'malformed body';
  const where = issue.path.length ? issue.path.map(String).join('.') : 'body';
  return `${where}: ${issue.message}`.slice(0, 200);
}

/**
 * Checks a verified request body. `form` is the parsed form when the body was form-encoded; `json` the parsed JSON
 * otherwise (any value, `null` included).
 */
export function checkSlackBody(
  input: { form: Record<string, unknown> } | { json: unknown },
): { ok: true; value: SlackBody } | { ok: false; reason: string } {
  if ('form' in input) {
    const { form } = input;
    if ('payload' in form) {
      if (typeof form.payload !== 'string') return { ok: false, reason: 'payload: expected one JSON string' };
      let payload: unknown;
      try {
        payload = JSON.parse(form.payload);
      } catch {
        return { ok: false, reason: 'payload: not JSON' };
      }
      const parsed = interactionSchema.safeParse(payload);
      if (!parsed.success) return { ok: false, reason: `payload.${shortReason(parsed.error)}` };
      return { ok: true, value: { kind: 'interaction', body: parsed.data } };
    }
    const parsed = slashCommandSchema.safeParse(form);
    if (!parsed.success) return { ok: false, reason: shortReason(parsed.error) };
    return { ok: true, value: { kind: 'command', body: parsed.data } };
  }
  const parsed = envelopeSchema.safeParse(input.json);
  if (!parsed.success) return { ok: false, reason: shortReason(parsed.error) };
  const body = parsed.data as Record<string, unknown> & { type: string; event?: { type: string } };
  if (body.type === 'event_callback' && body.event && /^reaction_(added|removed)$/.test(body.event.type)) {
    const event = reactionEvent.safeParse(body.event);
    if (!event.success) return { ok: false, reason: `event.${shortReason(event.error)}` };
  }
  return { ok: true, value: { kind: 'envelope', body } };
}
