/**
 * HTTP mode end to end: signed slash commands and Events API envelopes, as Slack sends them, POSTed to
 * /slack/events on a local server; the adapter's bolt App turns them into ChatEvents for the core's handler, and
 * the handler's answers reach the fake Slack Web API.
 */
import type { Store } from '../../src/store';
import {
  FakeSlackServer,
  postSigned,
  reactionEventBody,
  signSlackRequest,
  slashCommandBody,
  startRoutesServer,
  type TestRoutesServer,
} from '../../test/fakes/slack-server';
import type { ChatEvent, CommandEvent, ReactionEvent } from '../../src/chat/types';
import type { SlackAdapter } from './adapter';
import { SIGNING_SECRET, seedPapers, slackAdapter, slackContext } from '../../test/fakes/slack-support';
import { recordingLogger } from '../../test/helpers/log-lines';
import { until } from '../../test/helpers/wait';

const CHANNEL = 'C0DIGEST01';

let fake: FakeSlackServer;
let server: TestRoutesServer;
let store: Store;
let adapter: SlackAdapter;
let events: ChatEvent[];
/** What the core's handler does with each event; set per test. */
let onEvent: (event: ChatEvent) => Promise<void>;

const eventsUrl = () => `${server.url}/slack/events`;
const post = (body: string, options: { timestampSec?: number; signature?: string; secret?: string } = {}) =>
  postSigned(eventsUrl(), body, { signingSecret: options.secret ?? SIGNING_SECRET, ...options });

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The adapter's log: it says when bolt is done with a request (every listener ran, or none wanted it). */
const logs = recordingLogger();
const PROCESSED = 'Slack request processed';
async function waitFor(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
}

/** Resolves once the handler has received `n` events. */
async function eventsReceived(n: number): Promise<void> {
  await until(`${n} events`, () => events.length >= n);
}

beforeAll(async () => {
  fake = await FakeSlackServer.start();
  server = await startRoutesServer();
  const made = await slackContext(fake, { SLACK_SIGNING_SECRET: SIGNING_SECRET }, logs.log);
  store = made.store;
  adapter = slackAdapter(made.ctx);
  await adapter.init({
    processEvent: (event) => {
      events.push(event);
      return onEvent(event);
    },
  });
  await adapter.start(server);
});

afterAll(async () => {
  await adapter.stop();
  await server.close();
  await fake.close();
  await store.close();
});

beforeEach(() => {
  fake.reset();
  events = [];
  onEvent = async () => {};
});

describe('HTTP mode: /slack/events', () => {
  it('answers /critique at once, before the work is done, then posts the critique in the channel', async () => {
    const work = deferred();
    const handled = deferred();
    const paper = seedPapers()[0]!;
    onEvent = async (event) => {
      await work.promise; // the LLM is thinking
      const cmd = event as CommandEvent;
      await cmd.reply({
        kind: 'critique',
        paper,
        critique: '**Overall:** solid work.',
        cached: false,
        requestedBy: cmd.userId,
      });
      handled.resolve();
    };
    const res = await post(
      slashCommandBody({ command: '/critique', text: '2510.26143', response_url: fake.responseUrl() }),
    );
    // The HTTP answer came back while the handler is still waiting.
    expect(res.status).toBe(200);
    expect(res.body).toContain('Reading 2510.26143');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
    await eventsReceived(1);
    expect(events[0]).toMatchObject({
      type: 'command',
      platform: 'slack',
      command: 'critique',
      argument: '2510.26143',
      userId: 'U0MEMBER01',
      channelId: CHANNEL,
    });

    work.resolve();
    await handled.promise;
    const [msg] = fake.posted(CHANNEL);
    expect(msg?.text).toContain('*Critique of <http://arxiv.org/abs/2510.26143v1|Reasoning Curriculum');
    expect(msg?.text).toContain('requested by <@U0MEMBER01>');
    expect(msg?.thread_ts).toBeUndefined();
    expect(fake.responses).toHaveLength(0); // response_url is not the way of the main answer
  });

  it("posts the answer in the paper's thread when the handler names one", async () => {
    const parent = await adapter.send(CHANNEL, { text: 'digest' });
    const thread = await adapter.openThread(parent);
    const done = deferred();
    onEvent = async (event) => {
      await (event as CommandEvent).reply({ kind: 'text', text: 'Critique below.' }, thread);
      done.resolve();
    };
    await post(slashCommandBody({ command: '/critique', text: 'https://arxiv.org/abs/2510.26143' }));
    await done.promise;
    expect(fake.posted(CHANNEL).at(-1)).toMatchObject({ thread_ts: parent.messageId, text: 'Critique below.' });
  });

  it('turns /vote into a command event, unwrapping a link Slack escaped, and answers privately', async () => {
    const done = deferred();
    onEvent = async (event) => {
      await (event as CommandEvent).replyPrivately('Your vote for **2510.26143** counts. <!channel>');
      done.resolve();
    };
    const res = await post(
      slashCommandBody({ command: '/vote', text: ' <https://arxiv.org/abs/2510.26143v1> ', user_id: 'U0MEMBER02' }),
    );
    expect(res.status).toBe(200);
    await done.promise;
    expect(events[0]).toMatchObject({
      command: 'vote',
      argument: 'https://arxiv.org/abs/2510.26143v1',
      userId: 'U0MEMBER02',
    });
    const [eph] = fake.callsTo('chat.postEphemeral');
    expect(eph?.params).toMatchObject({ channel: CHANNEL, user: 'U0MEMBER02' });
    expect(eph?.params.text).toBe('Your vote for *2510.26143* counts. &lt;!channel&gt;');
  });

  it("falls back to the command's response_url where the bot cannot post", async () => {
    const done = deferred();
    onEvent = async (event) => {
      await (event as CommandEvent).reply({ kind: 'text', text: 'Here it is.' });
      done.resolve();
    };
    fake.failNext('chat.postMessage', { error: 'not_in_channel' });
    await post(
      slashCommandBody({
        command: '/critique',
        text: '2510.26143',
        channel_id: 'C0ELSEWHERE',
        response_url: fake.responseUrl('7'),
      }),
    );
    await done.promise;
    expect(fake.responses).toEqual([
      {
        path: expect.stringContaining('/commands/T0ARXIV001/7/'),
        body: expect.objectContaining({ response_type: 'in_channel', text: 'Here it is.' }),
      },
    ]);
  });

  it('refuses a bad signature with 401 and hands nothing on', async () => {
    const body = slashCommandBody({ command: '/critique', text: '2510.26143' });
    expect((await post(body, { secret: 'not-the-secret' })).status).toBe(401);
    expect((await post(body, { signature: 'v0=deadbeef' })).status).toBe(401);
    expect((await post(`${body}&text=2401.00001`, { signature: signatureOf(body) })).status).toBe(401);
    expect(events).toEqual([]);
  });

  it('acts once on a signed /critique replayed 10 times within its five minutes (same body, same timestamp)', async () => {
    const paper = seedPapers()[0]!;
    onEvent = async (event) => {
      const cmd = event as CommandEvent;
      await cmd.reply({
        kind: 'critique',
        paper,
        critique: '**Overall:** solid.',
        cached: true,
        requestedBy: cmd.userId,
      });
    };
    const body = slashCommandBody({ command: '/critique', text: '2510.26143' });
    const timestampSec = Math.floor(Date.now() / 1000) - 60;
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(body, { timestampSec })));
    // Every copy is acknowledged (Slack must not retry), one acts.
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    await eventsReceived(1);
    await waitFor(() => fake.posted(CHANNEL).length > 0);
    expect(events).toHaveLength(1);
    expect(fake.posted(CHANNEL).filter((m) => m.text?.includes('Critique of'))).toHaveLength(1);
    // A later copy, signed anew at another timestamp, is still the same command (its trigger_id): not acted on.
    await post(body);
    expect(events).toHaveLength(1);
  });

  it('acts once on an event delivered again with the same event_id', async () => {
    const body = reactionEventBody({
      type: 'reaction_added',
      user: 'U0MEMBER02',
      reaction: '+1',
      channel: CHANNEL,
      ts: '1761830000.000100',
    });
    for (let i = 0; i < 3; i++) expect((await post(body)).status).toBe(200);
    await eventsReceived(1);
    expect(events).toHaveLength(1);
  });

  it('refuses a stale timestamp (a replay) with 401', async () => {
    const body = slashCommandBody({ command: '/vote', text: '2510.26143' });
    const res = await post(body, { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(res.status).toBe(401);
    expect(events).toEqual([]);
  });

  it('answers the url_verification challenge', async () => {
    const body = JSON.stringify({
      token: 'x',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('turns reaction_added and reaction_removed into reaction events and ignores the bot\u2019s own', async () => {
    const ts = '1761830401.000101';
    const send = (type: 'reaction_added' | 'reaction_removed', user: string, reaction = '+1') =>
      post(reactionEventBody({ type, user, reaction, channel: CHANNEL, ts }));
    const before = logs.count(PROCESSED);
    expect((await send('reaction_added', fake.botUserId)).status).toBe(200);
    expect((await send('reaction_added', 'U0MEMBER01', '+1::skin-tone-3')).status).toBe(200);
    expect((await send('reaction_removed', 'U0MEMBER01', '+1::skin-tone-3')).status).toBe(200);
    await logs.said(PROCESSED, before + 3); // all three handled, the bot's own included
    const reactions = events as ReactionEvent[];
    expect(reactions).toEqual([
      {
        type: 'reaction',
        platform: 'slack',
        added: true,
        emoji: '👍', // the neutral form: Slack's name and skin tone folded by the adapter
        userId: 'U0MEMBER01',
        channelId: CHANNEL,
        messageId: ts,
      },
      {
        type: 'reaction',
        platform: 'slack',
        added: false,
        emoji: '👍', // the neutral form: Slack's name and skin tone folded by the adapter
        userId: 'U0MEMBER01',
        channelId: CHANNEL,
        messageId: ts,
      },
    ]);
  });

  it('tells the member privately when handling a command fails', async () => {
    onEvent = async () => {
      throw new Error('boom');
    };
    await post(slashCommandBody({ command: '/critique', text: '2510.26143' }));
    await until('the private answer', () => fake.callsTo('chat.postEphemeral').length > 0);
    expect(fake.callsTo('chat.postEphemeral')[0]?.params.text).toBe(
      'Sorry, that did not work. Please try again later.',
    );
  });
});

function signatureOf(body: string): string {
  return signSlackRequest(SIGNING_SECRET, body, Math.floor(Date.now() / 1000))['x-slack-signature'];
}

describe('stop()', () => {
  it('lets the work in flight finish, then refuses new requests', async () => {
    const routes = await startRoutesServer();
    const made = await slackContext(fake, { SLACK_SIGNING_SECRET: SIGNING_SECRET });
    const local = slackAdapter(made.ctx);
    const work = deferred();
    const started = deferred();
    let finished = false;
    await local.init({
      processEvent: async () => {
        started.resolve();
        await work.promise;
        finished = true;
      },
    });
    await local.start(routes);
    const url = `${routes.url}/slack/events`;
    const body = slashCommandBody({ command: '/vote', text: '2510.26143' });
    expect((await postSigned(url, body, { signingSecret: SIGNING_SECRET })).status).toBe(200);
    await started.promise;
    const stopping = local.stop().then(() => finished);
    setImmediate(() => work.resolve()); // the work ends after stop() began waiting for it
    expect(await stopping).toBe(true);
    expect((await postSigned(url, body, { signingSecret: SIGNING_SECRET })).status).toBe(503);
    await routes.close();
    await made.store.close();
  });

  it('needs an app token or a signing secret to start', async () => {
    const made = await slackContext(fake);
    await expect(slackAdapter(made.ctx).start()).rejects.toThrow(
      'Slack commands and reactions need SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode on PORT)',
    );
    await made.store.close();
  });
});
