/**
 * HTTP mode: a bolt Receiver (in the style of bolt-js src/types/receiver.ts: init(app)/start/stop) that mounts
 * POST /slack/events on the shared server of `start` instead of opening a server of its own. Each request is
 * verified (v0 signature, timestamp within five minutes), answered for url_verification and ssl_check, and
 * otherwise handed to `app.processEvent`; the HTTP answer goes back as soon as a listener calls ack(), so Slack's
 * three-second deadline holds whatever the listener does next.
 */
import { parse as parseQuery } from 'node:querystring';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { oneLine } from '../../src/app/errors';
import type { Logger } from '../../src/app/log';
import type { HttpRoutes, RawRequest, RawResponse } from '../../src/chat/types';
import { type SlackBody, checkSlackBody } from './bodies';
import { verifySlackSignature } from './verify';

export interface RoutesReceiverOptions {
  signingSecret: string;
  http: HttpRoutes;
  path?: string;
  now: () => number;
  log: Logger;
  /** Answer Slack this long after a request if no listener acknowledged it (Slack gives up after 3 s). */
  unackedTimeoutMs?: number;
  /**
   * True the first time a request identity is seen (src/chat/replay.ts): a signed request sent again within its
   * signature's five minutes is acknowledged and not acted on. Without it every copy acts.
   */
  firstTime?: (requestId: string) => Promise<boolean>;
}

/**
 * What makes a signed Slack request one request: a command's or interaction's `trigger_id`, an event's `event_id`;
 * else its signature (the same body at the same timestamp). Undefined for what never acts (rate-limit notices).
 */
export function slackRequestId(value: SlackBody, signature: string | undefined): string | undefined {
  const body = value.body;
  if (body.type === 'app_rate_limited') return undefined;
  if (typeof body.trigger_id === 'string' && body.trigger_id) return `trigger:${body.trigger_id}`;
  if (typeof body.event_id === 'string' && body.event_id) return `event:${body.event_id}`;
  return signature ? `signature:${signature}` : undefined;
}

const json = (status: number, body: unknown): RawResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

export class RoutesReceiver implements Receiver {
  private app: App | undefined;
  private mounted = false;
  private stopped = false;

  constructor(private readonly options: RoutesReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {
    this.stopped = false;
    if (this.mounted) return;
    this.options.http.route('POST', this.options.path ?? '/slack/events', (req) => this.handle(req));
    this.mounted = true;
  }

  async stop(): Promise<void> {
    // Routes cannot be unmounted from the shared server; requests after stop are refused instead.
    this.stopped = true;
  }

  async handle(req: RawRequest): Promise<RawResponse> {
    const { log } = this.options;
    if (this.stopped || !this.app) return json(503, { error: 'stopping' });
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    const raw = req.rawBody.toString('utf8');
    const form = contentType === 'application/x-www-form-urlencoded' ? parseQuery(raw) : undefined;

    // Slack's certificate check is unsigned and carries nothing to act on.
    if (form?.ssl_check === '1') return { status: 200, body: '' };

    const verified = verifySlackSignature({
      signingSecret: this.options.signingSecret,
      headers: req.headers,
      rawBody: req.rawBody,
      nowMs: this.options.now(),
    });
    if (!verified.ok) {
      log.warn({ reason: verified.reason }, 'refused a Slack request that failed verification');
      return json(401, { error: 'invalid signature' });
    }

    let checked: ReturnType<typeof checkSlackBody>;
    if (form) checked = checkSlackBody({ form: form as Record<string, unknown> });
    else {
      let parsedJson: unknown;
      try {
        parsedJson = JSON.parse(raw);
      } catch {
        log.warn({ contentType }, 'refused a signed Slack request: body is neither form-encoded nor JSON');
        return json(400, { error: 'body is neither form-encoded nor JSON' });
      }
      checked = checkSlackBody({ json: parsedJson });
    }
    // Validated before anything reads it: a malformed body is a 400 with its reason, logged once, never a 500.
    if (!checked.ok) {
      log.warn({ reason: checked.reason }, 'refused a signed Slack request with a malformed body');
      return json(400, { error: `malformed request: ${checked.reason}` });
    }
    const body = checked.value.body;
    if (body.type === 'url_verification') return json(200, { challenge: body.challenge });
    const requestId = this.options.firstTime && slackRequestId(checked.value, req.headers['x-slack-signature']);
    if (requestId && !(await this.options.firstTime?.(requestId))) {
      log.warn({ request: requestId }, 'a Slack request seen before (a replay or a retry): acknowledged, not acted on');
      return { status: 200, body: '' };
    }

    return this.dispatch(body, req);
  }

  private dispatch(body: Record<string, unknown>, req: RawRequest): Promise<RawResponse> {
    const app = this.app as App;
    const { log } = this.options;
    return new Promise<RawResponse>((resolve) => {
      let answered = false;
      const answer = (res: RawResponse) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        resolve(res);
      };
      const timer = setTimeout(() => {
        log.warn({ type: body.type }, 'no Slack listener acknowledged the request in time');
        answer({ status: 200, body: '' });
      }, this.options.unackedTimeoutMs ?? 2_500);
      timer.unref();

      const retryNum = Number(req.headers['x-slack-retry-num']);
      const retryReason = req.headers['x-slack-retry-reason'];
      const event: ReceiverEvent = {
        body,
        ...(Number.isFinite(retryNum) ? { retryNum } : {}),
        ...(retryReason ? { retryReason } : {}),
        ack: async (response?: unknown) => {
          if (answered) return;
          if (response === undefined || response === '') answer({ status: 200, body: '' });
          else if (typeof response === 'string')
            answer({ status: 200, headers: { 'content-type': 'text/plain' }, body: response });
          else answer(json(200, response));
        },
      };
      app.processEvent(event).then(
        () => {
          // Every listener is done (or none wanted it, and Slack still gets its 200): said for those who wait on it.
          log.debug({ type: body.type }, 'Slack request processed');
          answer({ status: 200, body: '' });
        },
        (err: unknown) => {
          // The message only: an error's own fields may carry a request's URL or headers.
          // Answered 400, not 500: Slack retries a 5xx, and the same body would fail the same way again.
          log.error({ error: oneLine(err) }, 'Slack event processing failed');
          answer(json(400, { error: 'the request could not be processed' }));
        },
      );
    });
  }
}
